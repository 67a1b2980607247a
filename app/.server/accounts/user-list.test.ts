// The operator's account search takes one of two plans by how many accounts
// match (database/prefer-indexes.ts); either way the pages are the same: every
// match once, newest first, page after page.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { SPARSE_MATCHES } from "../database/prefer-indexes";
import { listUsers } from "./user-list";

const db = connect(workerDatabaseUrl());
const DENSE = 1200 - 3; // more than SPARSE_MATCHES; 400, 800 and 1200 are the rare ones

beforeAll(async () => {
  await truncateAll(db);
  // Many "crowd" accounts and three "rare" ones, interleaved over a year.
  expect(DENSE).toBeGreaterThan(SPARSE_MATCHES);
  await sql`insert into "user" (email, password_hash, name, created_at, updated_at)
            select case when n % 400 = 0 then 'rare' || n else 'crowd' || n end || '@example.com', 'x', null,
                   now() - interval '1 year' + n * interval '1 hour', now()
            from generate_series(1, 1200) as n`.execute(db);
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
    ["few matches (read through the trigram index, then sorted)", "rare", 3],
    ["many matches (found by walking the date index)", "crowd", DENSE],
  ])("%s: every match once, newest first", async (_, search, expected) => {
    const seen = await everyPage(search);
    expect(seen).toHaveLength(expected);
    expect(new Set(seen.map((u) => u.email)).size).toBe(expected);
    expect(seen.every((u) => u.email.startsWith(search))).toBe(true);
    const times = seen.map((u) => u.created_at.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("answers an empty page past the last match, few matches or many", async () => {
    for (const search of ["rare", "crowd"]) {
      const oldest = (await everyPage(search)).at(-1)!;
      const { id } = await db.selectFrom("user").select("id").where("email", "=", oldest.email).executeTakeFirstOrThrow();
      expect(await listUsers(db, { search, before: id }), search).toEqual({ users: [], nextCursor: null });
    }
  });

  it("matches LIKE wildcards literally", async () => {
    expect((await listUsers(db, { search: "cr%wd" })).users).toEqual([]);
  });
});
