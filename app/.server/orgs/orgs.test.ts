import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { actorOf, auditEventsOf, createTestOrg } from "../../../test/factories/orgs";
import { createUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { countMembers, createOrg, findOrgAccess, hasFreeSeat, listUserOrgs, slugProblem } from "./orgs";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

describe("slugProblem", () => {
  it("accepts lowercase letters, digits and single inner hyphens, 3 to 40 characters", () => {
    for (const slug of ["abc", "acme-corp", "a1-b2-c3", "x".repeat(40), "007"]) expect(slugProblem(slug), slug).toBeNull();
  });

  it("refuses slugs that are too short, too long or oddly shaped", () => {
    for (const slug of ["", "ab", "x".repeat(41), "Acme", "-acme", "acme-", "ac--me", "ac me", "acme/..", "ac_me", "acmé", "acme\n"]) {
      expect(slugProblem(slug), JSON.stringify(slug)).not.toBeNull();
    }
  });

  it("refuses the reserved words that collide with routes", () => {
    for (const slug of ["new", "admin", "api", "settings", "invite", "orgs", "billing", "audit"]) expect(slugProblem(slug), slug).toMatch(/reserved/);
  });
});

describe("createOrg", () => {
  it("makes the creator its only member, as owner, and records org.created", async () => {
    const ada = await createUser(db);
    expect(await createOrg(db, { name: "Acme", slug: "acme", owner: actorOf(ada), ip: "203.0.113.5" })).toEqual({ ok: true, slug: "acme" });
    const org = await db.selectFrom("org").selectAll().executeTakeFirstOrThrow();
    expect(org).toMatchObject({ slug: "acme", name: "Acme", plan: "enterprise", seat_limit: null });
    expect(await db.selectFrom("membership").select(["user_id", "role"]).execute()).toEqual([{ user_id: ada.id, role: "owner" }]);
    const events = await auditEventsOf(db, org.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "org.created", actor_id: ada.id, actor_label: ada.email, target: "acme", ip: "203.0.113.5" });
  });

  it("answers slug-taken for a slug in use and leaves nothing behind", async () => {
    const ada = await createUser(db);
    const bob = await createUser(db, { email: "bob@example.com" });
    await createOrg(db, { name: "Acme", slug: "acme", owner: actorOf(ada), ip: null });
    expect(await createOrg(db, { name: "Other Acme", slug: "acme", owner: actorOf(bob), ip: null })).toEqual({ ok: false, reason: "slug-taken" });
    expect(await db.selectFrom("org").select("name").execute()).toEqual([{ name: "Acme" }]);
    expect(await listUserOrgs(db, bob.id)).toEqual([]);
    expect(await db.selectFrom("audit_event").select("action").execute()).toHaveLength(1);
  });

  it("gives exactly one of two simultaneous creators the slug", async () => {
    const ada = await createUser(db);
    const bob = await createUser(db, { email: "bob@example.com" });
    const results = await Promise.all([ada, bob].map((u) => createOrg(db, { name: u.email, slug: "race", owner: actorOf(u), ip: null })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: "slug-taken" }]);
    expect(await db.selectFrom("membership").select("role").execute()).toEqual([{ role: "owner" }]);
  });
});

describe("membership lookups", () => {
  it("lists every org a person belongs to with their role, and finds access only for members", async () => {
    const ada = await createUser(db);
    const bob = await createUser(db, { email: "bob@example.com" });
    const acme = await createTestOrg(db, { slug: "acme", owner: ada, members: [{ user: bob, role: "member" }] });
    await createTestOrg(db, { slug: "beta", owner: bob });
    expect(await listUserOrgs(db, bob.id)).toEqual([
      { slug: "acme", name: "Acme", plan: "enterprise", role: "member" },
      { slug: "beta", name: "Beta", plan: "enterprise", role: "owner" },
    ]);
    expect(await findOrgAccess(db, "acme", bob.id)).toMatchObject({ org: { id: acme.id, slug: "acme" }, role: "member" });
    expect(await findOrgAccess(db, "beta", ada.id)).toBeNull();
    expect(await findOrgAccess(db, "nope", ada.id)).toBeNull();
    expect(await countMembers(db, acme.id)).toBe(2);
  });

  it("counts members and live pending invitations against the seat limit", async () => {
    const ada = await createUser(db);
    const acme = await createTestOrg(db, { owner: ada });
    const now = new Date();
    expect(await hasFreeSeat(db, acme.id, null, now, true)).toBe(true);
    expect(await hasFreeSeat(db, acme.id, 2, now, true)).toBe(true);
    expect(await hasFreeSeat(db, acme.id, 1, now, false)).toBe(false);
    const invitation = { org_id: acme.id, email: "bob@example.com", role: "member" as const, token_hash: new Uint8Array([1]) };
    await db.insertInto("org_invitation").values({ ...invitation, expires_at: new Date(now.getTime() + 60_000) }).execute();
    expect(await hasFreeSeat(db, acme.id, 2, now, true)).toBe(false);
    expect(await hasFreeSeat(db, acme.id, 2, now, false)).toBe(true);
    // An expired invitation holds no seat.
    expect(await hasFreeSeat(db, acme.id, 2, new Date(now.getTime() + 120_000), true)).toBe(true);
  });
});
