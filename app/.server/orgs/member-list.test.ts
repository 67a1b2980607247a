import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createTestOrg, type TestOrg } from "../../../test/factories/orgs";
import { createUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { countMembers, findMember, listMemberPage } from "./member-list";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

let big: TestOrg, other: TestOrg;
beforeEach(async () => {
  big = await createTestOrg(db, { slug: "big" });
  other = await createTestOrg(db, { slug: "other", owner: await createUser(db, { email: "outsider@example.com", name: "Outsider" }) });
  // 250 members, joined in batches of ten at the same instant (ties broken by user id).
  await sql`
    with people as (
      insert into "user" (email, password_hash, name, email_verified_at)
      select 'person' || lpad(n::text, 3, '0') || '@example.com', 'x', case when n % 50 = 0 then 'Grace ' || n else 'Person ' || n end, now()
      from generate_series(1, 250) as n
      returning id, email
    )
    insert into membership (org_id, user_id, role, created_at)
    select ${big.id}, id, 'member', timestamptz '2026-01-01' + (substring(email from 7 for 3)::int / 10) * interval '1 hour' from people
  `.execute(db);
});

describe("listMemberPage", () => {
  it("pages through every member once, oldest first, 100 at a time", async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let after: string | null = null;
    do {
      const page = await listMemberPage(db, big.id, { after });
      sizes.push(page.members.length);
      seen.push(...page.members.map((m) => m.email));
      after = page.nextCursor;
    } while (after && sizes.length < 10);
    expect(sizes).toEqual([100, 100, 50]);
    expect(new Set(seen).size).toBe(250);
    const joined = seen.map((email) => Math.floor(Number(email.slice(6, 9)) / 10));
    expect(joined).toEqual([...joined].sort((x, y) => x - y));
    expect(await countMembers(db, big.id)).toBe(250);
  });

  it("searches email and name (wildcards taken literally), and pages the matches", async () => {
    const graces = await listMemberPage(db, big.id, { search: "grace", limit: 3 });
    expect(graces.members).toHaveLength(3);
    const rest = await listMemberPage(db, big.id, { search: "grace", limit: 3, after: graces.nextCursor });
    expect([...graces.members, ...rest.members].map((m) => m.name).sort()).toEqual(["Grace 100", "Grace 150", "Grace 200", "Grace 250", "Grace 50"]);
    expect((await listMemberPage(db, big.id, { search: "person12" })).members.map((m) => m.email).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `person12${i}@example.com`));
    expect((await listMemberPage(db, big.id, { search: "%" })).members).toEqual([]);
    expect((await listMemberPage(db, big.id, { search: "outsider" })).members).toEqual([]);
  });

  it("never shows another org's members, whatever the cursor", async () => {
    const outsider = await findMember(db, other.id, (await db.selectFrom("user").select("id").where("email", "=", "outsider@example.com").executeTakeFirstOrThrow()).id);
    expect(outsider).not.toBeNull();
    for (const after of [outsider!.userId, "not-a-uuid", "' or 1=1 --"]) {
      const page = await listMemberPage(db, big.id, { after });
      for (const member of page.members) expect(member.email).toMatch(/^person/);
    }
    expect(await findMember(db, big.id, outsider!.userId)).toBeNull();
  });
});
