// The operator's account search takes one of three plans by where and how
// many accounts match (user-list.ts, database/prefer-indexes.ts); each way the
// pages are the same: every match once, newest first, page after page.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { SPARSE_MATCHES } from "../database/prefer-indexes";
import { listUsers } from "./user-list";

const db = connect(workerDatabaseUrl());
// Oldest first: 1,100 "oldtimer" accounts, then 3,300 newer ones, "crowd"
// but for every 400th, "rare" (9 of them).
const OLDTIMERS = 1100;
const RARE = 9;
const CROWD = 3300 - RARE;

beforeAll(async () => {
  await truncateAll(db);
  await sql`insert into "user" (email, password_hash, name, created_at, updated_at)
            select case when n <= ${OLDTIMERS} then 'oldtimer' when n % 400 = 0 then 'rare' else 'crowd' end || n || '@example.com', 'x', null,
                   now() - interval '1 year' + n * interval '1 hour', now()
            from generate_series(1, ${OLDTIMERS + 3300}) as n`.execute(db);
});
afterAll(() => db.destroy());

async function everyPage(search: string) {
  const seen: Array<{ email: string; created_at: Date }> = [];
  let before: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const { users, nextCursor }: Awaited<ReturnType<typeof listUsers>> = await listUsers(db, { search, before, limit: 100 });
    seen.push(...users);
    if (!nextCursor) break;
    before = nextCursor;
  }
  return seen;
}

describe("listUsers with a search", () => {
  it.each([
    ["many among the newest (found in a bounded read of the newest accounts)", "crowd", CROWD],
    ["few matches (read through the trigram index, then sorted)", "rare", RARE],
    ["many, all old (found by walking the date index)", "oldtimer", OLDTIMERS],
  ])("%s: every match once, newest first", async (_, search, expected) => {
    expect(OLDTIMERS).toBeGreaterThan(SPARSE_MATCHES);
    const seen = await everyPage(search);
    expect(seen).toHaveLength(expected);
    expect(new Set(seen.map((u) => u.email)).size).toBe(expected);
    expect(seen.every((u) => u.email.startsWith(search))).toBe(true);
    const times = seen.map((u) => u.created_at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("answers an empty page past the last match, few matches or many", async () => {
    for (const search of ["rare", "crowd", "oldtimer"]) {
      const oldest = (await everyPage(search)).at(-1)!;
      const { id } = await db.selectFrom("user").select("id").where("email", "=", oldest.email).executeTakeFirstOrThrow();
      expect(await listUsers(db, { search, before: id }), search).toEqual({ users: [], nextCursor: null });
    }
  });

  it("matches LIKE wildcards literally", async () => {
    expect((await listUsers(db, { search: "cr%wd" })).users).toEqual([]);
  });
});
