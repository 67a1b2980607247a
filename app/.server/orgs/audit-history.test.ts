import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { actorOf, auditEventsOf, createTestOrg, type TestOrg } from "../../../test/factories/orgs";
import { createUser, type TestUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createApiKey, revokeApiKey } from "./api-keys";
import { recordAuditEvent } from "./audit";
import { actorChoices, auditEventBatches, findMemberByEmail, listAuditEvents, parseAuditFilter, presentAuditEvents, type AuditExportRow, type AuditFilter } from "./audit-history";
import { removeMember } from "./members";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

// The queries: two orgs (Ada and Bob in alpha, Bob owning bravo), no events to start with.
describe("reading the history", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

  let ada: TestUser, bob: TestUser, a: TestOrg, b: TestOrg;
  beforeEach(async () => {
    [ada, bob] = await Promise.all([createUser(db, { email: "ada@example.com" }), createUser(db, { email: "bob@example.com" })]);
    a = await createTestOrg(db, { slug: "alpha", owner: ada, members: [{ user: bob, role: "member" }] });
    b = await createTestOrg(db, { slug: "bravo", owner: bob });
    await db.deleteFrom("audit_event").execute(); // org.created, from the factory
  });

  const record = (org: TestOrg, action: string, by: TestUser | null = ada, at?: Date) =>
    recordAuditEvent(db, { orgId: org.id, actor: by ? actorOf(by) : { userId: null, label: "API key gk_abc… (CI)" }, action, at });

  async function allPages(orgId: string, filter: AuditFilter, limit: number) {
    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await listAuditEvents(db, orgId, filter, { before, limit });
      seen.push(...page.events.map((e) => e.action));
      before = page.nextCursor ?? undefined;
      pages++;
    } while (before && pages < 100);
    return { seen, pages };
  }

  async function exported(orgId: string, filter: AuditFilter, batchSize: number) {
    const batches: string[][] = [];
    for await (const batch of auditEventBatches(db, orgId, filter, batchSize)) batches.push(batch.map((r) => r.action));
    return batches;
  }

  describe("listAuditEvents", () => {
    it("pages newest first with a cursor, without duplicates or gaps", async () => {
      for (let i = 0; i < 7; i++) await record(a, `thing.${i}`, ada, new Date(now.getTime() + i * 1000));
      expect(await allPages(a.id, {}, 3)).toEqual({ pages: 3, seen: ["thing.6", "thing.5", "thing.4", "thing.3", "thing.2", "thing.1", "thing.0"] });
    });

    it("orders by when it happened (an event pushed late, with its own time, falls in place), and by id within the same instant", async () => {
      await record(a, "second", ada, daysAgo(2));
      await record(a, "late-but-first", null, daysAgo(3));
      for (let i = 0; i < 5; i++) await record(a, `tie.${i}`, ada, daysAgo(1));
      expect((await allPages(a.id, {}, 2)).seen).toEqual(["tie.4", "tie.3", "tie.2", "tie.1", "tie.0", "second", "late-but-first"]);
    });

    it("filters by action, by actor (a member's id) and by date range", async () => {
      await record(a, "member.invited", ada, daysAgo(10));
      await record(a, "member.invited", bob, daysAgo(5));
      await record(a, "api_key.created", ada, daysAgo(1));
      await record(a, "custom.push", null, daysAgo(1));
      const actions = async (filter: AuditFilter) => (await listAuditEvents(db, a.id, filter, { limit: 50 })).events.map((e) => `${e.action}/${e.actor_label}`);
      expect(await actions({ action: "member.invited" })).toEqual(["member.invited/bob@example.com", "member.invited/ada@example.com"]);
      expect(await actions({ actorId: bob.id })).toEqual(["member.invited/bob@example.com"]);
      expect(await actions({ action: "member.invited", actorId: ada.id })).toEqual(["member.invited/ada@example.com"]);
      expect(await actions({ from: daysAgo(6), to: daysAgo(2) })).toEqual(["member.invited/bob@example.com"]);
      expect(await actions({ action: "custom.push" })).toEqual(["custom.push/API key gk_abc… (CI)"]);
    });

    it("never shows another org's rows, whatever the cursor", async () => {
      await record(b, "bravo.secret", bob);
      await record(a, "alpha.1");
      await record(b, "bravo.secret", bob);
      await record(a, "alpha.2");
      await record(b, "bravo.secret", bob);
      const bIds = (await auditEventsOf(db, b.id)).map((e) => String(e.id));
      for (const before of [...bIds, String(Number(bIds.at(-1)) + 1), "999999999999999999", "0", "1 or 1=1", "-1", "abc"]) {
        const page = await listAuditEvents(db, a.id, {}, { before, limit: 50 });
        for (const event of page.events) expect(event.action, `before=${before}`).toMatch(/^alpha\./);
      }
      // Another org's actor id filters to nothing here.
      expect((await listAuditEvents(db, a.id, { actorId: "00000000-0000-4000-8000-000000000000" }, { limit: 50 })).events).toEqual([]);
    });
  });

  describe("parseAuditFilter", () => {
    it("takes an actor only as a user id, and ignores malformed dates", () => {
      const parse = (query: string) => parseAuditFilter(new URLSearchParams(query));
      expect(parse(`actor=${ada.id.toUpperCase()}&action=member.invited&from=2026-01-02&to=2026-01-03`)).toEqual({
        action: "member.invited",
        actorId: ada.id,
        from: new Date("2026-01-02T00:00:00Z"),
        to: new Date("2026-01-04T00:00:00Z"),
      });
      expect(parse("actor=ada%25&from=2026-13-45&to=yesterday")).toEqual({ action: undefined, actorId: undefined, from: undefined, to: undefined });
    });
  });

  describe("the actor picker", () => {
    it("lists the members of a small org, and finds one by email in a big one", async () => {
      expect(await actorChoices(db, a.id)).toEqual([
        { id: ada.id, label: "Ada (ada@example.com)" },
        { id: bob.id, label: "Ada (bob@example.com)" },
      ]);
      expect(await actorChoices(db, a.id, 1)).toBeNull();
      expect(await findMemberByEmail(db, a.id, "  BOB@example.com ")).toEqual({ id: bob.id, label: "Ada (bob@example.com)" });
      expect(await findMemberByEmail(db, b.id, "ada@example.com")).toBeNull(); // not a member there
      expect(await findMemberByEmail(db, a.id, "%")).toBeNull();
    });
  });

  describe("auditEventBatches", () => {
    it("yields every matching event once, newest first, however many batches it takes", async () => {
      const at = (i: number) => new Date(now.getTime() - Math.floor(i / 3) * 1000); // threes share an instant
      await db
        .insertInto("audit_event")
        .values(Array.from({ length: 50 }, (_, i) => ({ org_id: a.id, actor_id: ada.id, actor_label: ada.email, action: `e.${String(i).padStart(2, "0")}`, created_at: at(i), metadata: "{}" })))
        .execute();
      await record(b, "bravo.secret", bob);
      const batches = await exported(a.id, {}, 7);
      expect(batches.map((batch) => batch.length)).toEqual([7, 7, 7, 7, 7, 7, 7, 1]);
      const flat = batches.flat();
      expect(new Set(flat).size).toBe(50);
      const expected = [...flat].sort((x, y) => at(Number(y.slice(2))).getTime() - at(Number(x.slice(2))).getTime() || y.localeCompare(x));
      expect(flat).toEqual(expected);
      expect(await exported(a.id, { action: "e.07" }, 7)).toEqual([["e.07"]]);
      expect(await exported(a.id, { actorId: bob.id }, 7)).toEqual([]);
    });

    it("gives each event as text: its time in ISO 8601 UTC, its metadata as JSON", async () => {
      await recordAuditEvent(db, { orgId: a.id, actor: actorOf(bob), action: "member.invited", target: "x", ip: "192.0.2.1", metadata: { role: "admin", n: 2 }, at: new Date("2026-11-22T12:34:56.789Z") });
      const batches: AuditExportRow[][] = [];
      for await (const batch of auditEventBatches(db, a.id, {})) batches.push(batch);
      const row = batches[0]![0];
      expect(row).toMatchObject({ created_at: "2026-11-22T12:34:56.789Z", actor: "bob@example.com", action: "member.invited", target: "x", ip: "192.0.2.1" });
      expect(JSON.parse(row!.metadataJson)).toEqual({ role: "admin", n: 2 });
    });

    it("keeps microsecond-apart events apart (the position is not rounded to a millisecond)", async () => {
      await db.insertInto("audit_event").values({ org_id: a.id, actor_label: "x", action: "older", created_at: "2026-11-22T12:00:00.000100Z", metadata: "{}" }).execute();
      await db.insertInto("audit_event").values({ org_id: a.id, actor_label: "x", action: "newer", created_at: "2026-11-22T12:00:00.000900Z", metadata: "{}" }).execute();
      expect((await exported(a.id, {}, 1)).flat()).toEqual(["newer", "older"]);
    });

    it("does not end early when the event it stopped at is deleted meanwhile (retention)", async () => {
      for (let i = 0; i < 6; i++) await record(a, `e.${i}`, ada, daysAgo(6 - i));
      const seen: string[] = [];
      for await (const batch of auditEventBatches(db, a.id, {}, 2)) {
        seen.push(...batch.map((r) => r.action));
        await db.deleteFrom("audit_event").where("id", "=", batch.at(-1)!.id).execute();
      }
      expect(seen).toEqual(["e.5", "e.4", "e.3", "e.2", "e.1", "e.0"]);
    });
  });
});

// The page's sentences and links.
async function history(org: { id: string; slug: string }) {
  const page = await listAuditEvents(db, org.id, {}, { limit: 50 });
  return presentAuditEvents(db, org, page.events, { billingPage: false });
}

describe("presentAuditEvents", () => {
  it("names actors by their current name and links actor and object while they still exist in this org", async () => {
    const ada = await createUser(db, { email: "ada@example.com", name: "Ada Lovelace" });
    const bob = await createUser(db, { email: "bob@example.com", name: "Bob" });
    const org = await createTestOrg(db, { slug: "acme", owner: ada, members: [{ user: bob, role: "member" }] });
    const kept = await createApiKey(db, { orgId: org.id, name: "CI deploys", actor: actorOf(ada), ip: null });
    const gone = await createApiKey(db, { orgId: org.id, name: "Old", actor: actorOf(ada), ip: null });
    await db.deleteFrom("api_key").where("id", "=", gone.id).execute();
    await recordAuditEvent(db, { orgId: org.id, actor: actorOf(ada), action: "member.role_changed", target: bob.email, metadata: { from: "member", to: "admin" } });

    const [role, oldKey, ciKey] = await history(org);
    expect(ciKey).toMatchObject({ actor: { label: "Ada Lovelace", href: "/orgs/acme/members" }, verb: "created API key", object: { label: "CI deploys", href: "/orgs/acme/api-keys" } });
    expect(oldKey).toMatchObject({ verb: "created API key", object: { label: "Old", href: null } });
    expect(role).toMatchObject({ object: { label: "Bob (bob@example.com)", href: "/orgs/acme/members" }, tail: " from member to admin" });
    void kept;
  });

  it("stops linking a person who left, and shows the anonymised label for what they did", async () => {
    const ada = await createUser(db, { email: "ada@example.com", name: "Ada" });
    const bob = await createUser(db, { email: "bob@example.com", name: "Bob" });
    const org = await createTestOrg(db, { slug: "acme", owner: ada, members: [{ user: bob, role: "admin" }] });
    const key = await createApiKey(db, { orgId: org.id, name: "Bob's key", actor: actorOf(bob), ip: null });
    await revokeApiKey(db, { orgId: org.id, keyId: key.id, actor: actorOf(ada), ip: null });
    await removeMember(db, { orgId: org.id, actor: actorOf(ada), actorRole: "owner", targetUserId: bob.id, ip: null });
    const [removed, , created] = await history(org);
    expect(removed).toMatchObject({ verb: "removed", object: { label: "bob@example.com", href: null } });
    expect(created!.actor).toEqual({ label: expect.stringMatching(/^Deleted user #/), href: null });
  });

  it("never links to another org's key with the same prefix", async () => {
    const ada = await createUser(db);
    const acme = await createTestOrg(db, { slug: "acme", owner: ada });
    const other = await createTestOrg(db, { slug: "other", owner: ada });
    const key = await createApiKey(db, { orgId: other.id, name: "Theirs", actor: actorOf(ada), ip: null });
    await recordAuditEvent(db, { orgId: acme.id, actor: actorOf(ada), action: "api_key.created", target: `${key.prefix}… (Theirs)` });
    const [event] = await history(acme);
    expect(event!.object).toEqual({ label: "Theirs", href: null });
  });
});
