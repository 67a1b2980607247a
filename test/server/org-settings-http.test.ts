// The org settings page over HTTP, against the production build in hosted mode
// with the real LemonSqueezy SDK talking to the fake API: rename, a new
// address (old links redirect members, and nobody else), transfer of
// ownership, leaving, and deleting the org (its subscription cancelled first).
// Every destructive action does nothing without its confirmation field.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { newFormToken } from "../../app/.server/form-guards/one-time-form";
import { recordAuditEvent } from "../../app/.server/orgs/audit";
import { actorOf, auditEventsOf, createTestOrg, membershipsOf, roleOf, type TestOrg } from "../factories/orgs";
import { createUser, sessionCookieFor, type TestUser } from "../factories/users";
import { FakeLemonSqueezy, interceptLemonSqueezy, lemonSqueezyServerOptions, TEST_BILLING_ENV, TEST_TEAM_VARIANT_ID } from "../fakes/lemonsqueezy";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { pageRequests } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
const fake = new FakeLemonSqueezy();
const HOSTED = { GATEHOUSE_MODE: "hosted", OPERATOR_NAME: "Acme Hosting Ltd", OPERATOR_EMAIL: "privacy@acme.example" };

let server: ServerProcess;
let restoreFetch: () => void;
beforeAll(async () => {
  await truncateAll(db);
  const fakeUrl = await fake.start();
  restoreFetch = interceptLemonSqueezy(fakeUrl);
  const ls = lemonSqueezyServerOptions(fakeUrl);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), ...HOSTED, ...TEST_BILLING_ENV, ...ls.env }, { nodeArgs: ls.nodeArgs });
}, 120_000);
afterAll(async () => {
  restoreFetch?.();
  await server?.stop();
  await Promise.all([db.destroy(), fake.stop()]);
});
beforeEach(async () => {
  await truncateAll(db);
  fake.reset();
});

const { get, post } = pageRequests(() => server);
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "").replaceAll("&#x27;", "'");

type World = { org: TestOrg; owner: TestUser; admin: TestUser; member: TestUser; cookies: { owner: string; admin: string; member: string } };

async function anOrg(): Promise<World> {
  const [owner, admin, member] = await Promise.all(["owner", "admin", "member"].map((name) => createUser(db, { email: `${name}@example.com`, name: name[0]!.toUpperCase() + name.slice(1) })));
  const org = await createTestOrg(db, { slug: "acme", name: "Acme Rockets", plan: "team", owner: owner!, members: [{ user: admin!, role: "admin" }, { user: member!, role: "member" }] });
  const [cOwner, cAdmin, cMember] = await Promise.all([owner!, admin!, member!].map((u) => sessionCookieFor(db, u)));
  return { org, owner: owner!, admin: admin!, member: member!, cookies: { owner: cOwner!, admin: cAdmin!, member: cMember! } };
}

const orgRow = (id: string) => db.selectFrom("org").select(["slug", "name"]).where("id", "=", id).executeTakeFirst();

describe("rename", () => {
  it("renames the org for an admin and records org.renamed with both names", async () => {
    const w = await anOrg();
    const response = await post("/orgs/acme/settings", { intent: "rename", name: "  Acme Space  " }, w.cookies.admin);
    expect(response.status).toBe(200);
    expect(await pageText(response)).toContain("The organization is now called Acme Space.");
    expect(await orgRow(w.org.id)).toEqual({ slug: "acme", name: "Acme Space" });
    const event = (await auditEventsOf(db, w.org.id)).at(-1);
    expect(event).toMatchObject({ action: "org.renamed", actor_id: w.admin.id, target: "Acme Space", metadata: { from: "Acme Rockets", to: "Acme Space" } });
  });

  it("refuses an empty or over-long name with a field message, and a member with a 403 that says who may", async () => {
    const w = await anOrg();
    const empty = await post("/orgs/acme/settings", { intent: "rename", name: "   " }, w.cookies.owner);
    expect(empty.status).toBe(400);
    expect(await pageText(empty)).toContain("Name is required.");
    const long = await post("/orgs/acme/settings", { intent: "rename", name: "x".repeat(101) }, w.cookies.owner);
    expect(long.status).toBe(400);
    expect(await pageText(long)).toContain("Name must be at most 100 characters.");
    const byMember = await post("/orgs/acme/settings", { intent: "rename", name: "Mine now" }, w.cookies.member);
    expect(byMember.status).toBe(403);
    expect(await pageText(byMember)).toContain("Only admins can change the organization's settings.");
    expect(await orgRow(w.org.id)).toEqual({ slug: "acme", name: "Acme Rockets" });
  });
});

describe("address", () => {
  it("moves the org to a new address; old links redirect members (path and query kept) and 404 for everyone else", async () => {
    const w = await anOrg();
    const outsider = await sessionCookieFor(db, await createUser(db, { email: "outsider@example.com" }));
    const moved = await post("/orgs/acme/settings", { intent: "address", slug: "acme-space" }, w.cookies.admin);
    expect(moved.status).toBe(302);
    expect(moved.headers.get("location")).toBe("/orgs/acme-space/settings?saved=address");
    expect(await orgRow(w.org.id)).toEqual({ slug: "acme-space", name: "Acme Rockets" });

    const old = await get("/orgs/acme/audit?action=org.created", w.cookies.member);
    expect(old.status).toBe(301);
    expect(old.headers.get("location")).toBe("/orgs/acme-space/audit?action=org.created");
    expect((await get("/orgs/acme", w.cookies.owner)).headers.get("location")).toBe("/orgs/acme-space");
    expect((await get("/orgs/acme", outsider)).status).toBe(404);
    // A form posted to the old address changes nothing.
    expect((await post("/orgs/acme/settings", { intent: "rename", name: "Sneaky" }, w.cookies.owner)).status).toBe(404);

    const event = (await auditEventsOf(db, w.org.id)).at(-1);
    expect(event).toMatchObject({ action: "org.slug_changed", target: "acme-space", metadata: { from: "acme", to: "acme-space" } });
  });

  it("keeps an old address for its org: another org cannot take it, by moving or by creating", async () => {
    const w = await anOrg();
    const other = await createUser(db, { email: "other@example.com" });
    await createTestOrg(db, { slug: "rival", plan: "team", owner: other });
    const otherCookie = await sessionCookieFor(db, other);
    await post("/orgs/acme/settings", { intent: "address", slug: "acme-space" }, w.cookies.owner);

    const takeOld = await post("/orgs/rival/settings", { intent: "address", slug: "acme" }, otherCookie);
    expect(takeOld.status).toBe(409);
    expect(await pageText(takeOld)).toContain("That address is taken. Choose another.");
    const takeCurrent = await post("/orgs/rival/settings", { intent: "address", slug: "acme-space" }, otherCookie);
    expect(takeCurrent.status).toBe(409);
    const create = await post("/orgs/new", { name: "Copycat", slug: "acme", formToken: newFormToken() }, otherCookie);
    expect(create.status).toBe(409);
    expect((await db.selectFrom("org").select("slug").orderBy("slug").execute()).map((o) => o.slug)).toEqual(["acme-space", "rival"]);

    // Its own org may go back to it.
    expect((await post("/orgs/acme-space/settings", { intent: "address", slug: "acme" }, w.cookies.owner)).status).toBe(302);
    expect(await orgRow(w.org.id)).toMatchObject({ slug: "acme" });
    expect((await get("/orgs/acme-space/members", w.cookies.member)).headers.get("location")).toBe("/orgs/acme/members");
  });

  it("refuses a malformed or reserved address with the rule in words", async () => {
    const w = await anOrg();
    for (const [slug, message] of [
      ["ab", "Use 3 to 40 characters."],
      ["Not Valid!", "Use lowercase letters, digits and single hyphens"],
      ["admin", "That address is reserved."],
      ["acme", "That is already the organization's address."],
    ]) {
      const response = await post("/orgs/acme/settings", { intent: "address", slug: slug! }, w.cookies.owner);
      expect(response.status, slug).toBe(400);
      expect(await pageText(response), slug).toContain(message);
    }
    expect(await db.selectFrom("org_slug_history").select("slug").execute()).toEqual([]);
  });
});

describe("transfer ownership", () => {
  it("makes the chosen member the owner and the old owner an admin, only with the confirmation", async () => {
    const w = await anOrg();
    const before = await membershipsOf(db, w.org.id);
    const unconfirmed = await post("/orgs/acme/settings", { intent: "transfer", newOwnerId: w.member.id }, w.cookies.owner);
    expect(unconfirmed.status).toBe(400);
    expect(await pageText(unconfirmed)).toContain("Confirm the transfer to continue. Nothing was changed.");
    expect(await membershipsOf(db, w.org.id)).toEqual(before);

    const done = await post("/orgs/acme/settings", { intent: "transfer", newOwnerId: w.member.id, confirm: "yes" }, w.cookies.owner);
    expect(done.status).toBe(200);
    expect(await pageText(done)).toContain("member@example.com now owns the organization. You are an admin.");
    expect(await roleOf(db, w.org.id, w.member.id)).toBe("owner");
    expect(await roleOf(db, w.org.id, w.owner.id)).toBe("admin");
    expect((await auditEventsOf(db, w.org.id)).at(-1)).toMatchObject({ action: "org.ownership_transferred", actor_id: w.owner.id, target: "member@example.com" });
  });

  it("refuses an admin (403), a non-member and the owner themself, changing nothing", async () => {
    const w = await anOrg();
    const stranger = await createUser(db, { email: "stranger@example.com" });
    const before = await membershipsOf(db, w.org.id);
    expect((await post("/orgs/acme/settings", { intent: "transfer", newOwnerId: w.admin.id, confirm: "yes" }, w.cookies.admin)).status).toBe(403);
    expect((await post("/orgs/acme/settings", { intent: "transfer", newOwnerId: stranger.id, confirm: "yes" }, w.cookies.owner)).status).toBe(400);
    expect((await post("/orgs/acme/settings", { intent: "transfer", newOwnerId: w.owner.id, confirm: "yes" }, w.cookies.owner)).status).toBe(400);
    expect((await post("/orgs/acme/settings", { intent: "transfer", newOwnerId: "not-a-uuid", confirm: "yes" }, w.cookies.owner)).status).toBe(400);
    expect(await membershipsOf(db, w.org.id)).toEqual(before);
  });
});

describe("leave", () => {
  it("lets a member leave only with the confirmation, and anonymises them in the history", async () => {
    const w = await anOrg();
    await recordAuditEvent(db, { orgId: w.org.id, actor: actorOf(w.member), action: "api_key.created", target: "gk_abc… (mine)" });
    expect((await post("/orgs/acme/settings", { intent: "leave" }, w.cookies.member)).status).toBe(400);
    expect(await roleOf(db, w.org.id, w.member.id)).toBe("member");
    const left = await post("/orgs/acme/settings", { intent: "leave", confirm: "yes" }, w.cookies.member);
    expect(left.status).toBe(302);
    expect(left.headers.get("location")).toBe("/orgs");
    expect(await roleOf(db, w.org.id, w.member.id)).toBeNull();
    const actions = (await auditEventsOf(db, w.org.id)).map((e) => [e.action, e.actor_id]);
    expect(actions).toEqual([
      ["api_key.created", null],
      ["member.left", null],
    ]);
  });

  it("refuses the last owner with what to do instead", async () => {
    const w = await anOrg();
    const response = await post("/orgs/acme/settings", { intent: "leave", confirm: "yes" }, w.cookies.owner);
    expect(response.status).toBe(409);
    expect(await pageText(response)).toContain("You are the only owner. Hand the organization to another member first, or delete it.");
    expect(await roleOf(db, w.org.id, w.owner.id)).toBe("owner");
  });
});

describe("delete", () => {
  async function subscribe(orgId: string, status = "active") {
    const sub = fake.createSubscription({ customData: { org_id: orgId } });
    await db
      .insertInto("subscription")
      .values({ org_id: orgId, provider_subscription_id: sub.id, variant_id: TEST_TEAM_VARIANT_ID, plan: "team", status, seats: 5, provider_updated_at: new Date() })
      .execute();
    return sub;
  }

  it("needs the org's name typed exactly: a bare POST, a wrong name or another case deletes nothing", async () => {
    const w = await anOrg();
    const attempts: Array<Record<string, string>> = [
      { intent: "delete" },
      { intent: "delete", confirm: "yes" },
      { intent: "delete", confirmText: "Acme Rockets" },
      { intent: "delete", confirm: "yes", confirmText: "" },
      { intent: "delete", confirm: "yes", confirmText: "acme rockets" },
      { intent: "delete", confirm: "yes", confirmText: "acme" },
    ];
    for (const fields of attempts) {
      const response = await post("/orgs/acme/settings", fields, w.cookies.owner);
      expect(response.status, JSON.stringify(fields)).toBe(400);
      expect(await pageText(response)).toContain("Type the organization's name, Acme Rockets, to delete it. Nothing was deleted.");
    }
    expect(await orgRow(w.org.id)).toBeDefined();
    expect(fake.requests).toEqual([]);
  });

  it("refuses an admin and a member with 403", async () => {
    const w = await anOrg();
    for (const cookie of [w.cookies.admin, w.cookies.member]) {
      expect((await post("/orgs/acme/settings", { intent: "delete", confirm: "yes", confirmText: "Acme Rockets" }, cookie)).status).toBe(403);
    }
    expect(await orgRow(w.org.id)).toBeDefined();
  });

  it("cancels the subscription with LemonSqueezy, then deletes the org with its audit history, and keeps the operators' record", async () => {
    const w = await anOrg();
    const sub = await subscribe(w.org.id);
    const finished = fake.createSubscription({ status: "expired" });
    await db
      .insertInto("subscription")
      .values({ org_id: w.org.id, provider_subscription_id: finished.id, variant_id: TEST_TEAM_VARIANT_ID, plan: "team", status: "expired", seats: 5, provider_updated_at: new Date() })
      .execute();
    await recordAuditEvent(db, { orgId: w.org.id, actor: actorOf(w.owner), action: "org.created", target: "acme" });
    await post("/orgs/acme/settings", { intent: "address", slug: "acme-two" }, w.cookies.owner);

    const response = await post("/orgs/acme-two/settings", { intent: "delete", confirm: "yes", confirmText: "Acme Rockets" }, w.cookies.owner);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/orgs");
    // Only the subscription still renewing was cancelled.
    expect(fake.requests.filter((r) => r.method === "DELETE").map((r) => r.path)).toEqual([`/v1/subscriptions/${sub.id}`]);
    expect(fake.subscriptions.get(sub.id)!.status).toBe("cancelled");

    expect(await orgRow(w.org.id)).toBeUndefined();
    for (const table of ["membership", "audit_event", "subscription", "org_slug_history"] as const) {
      expect(await db.selectFrom(table).select("org_id").where("org_id", "=", w.org.id).execute(), table).toEqual([]);
    }
    const record = await db.selectFrom("org_deletion").selectAll().executeTakeFirstOrThrow();
    expect(record).toMatchObject({ org_id: w.org.id, slug: "acme-two", name: "Acme Rockets", plan: "team", member_count: 3, deleted_by: w.owner.id, cancelled_subscriptions: [sub.id] });
    // The old addresses are free again, and lead nowhere.
    expect((await get("/orgs/acme", w.cookies.owner)).status).toBe(404);
  });

  it("deletes nothing when LemonSqueezy refuses the cancellation, and says so", async () => {
    const w = await anOrg();
    await subscribe(w.org.id);
    fake.answerNext({ status: 500, body: { errors: [{ status: "500", title: "Server Error" }] } });
    const response = await post("/orgs/acme/settings", { intent: "delete", confirm: "yes", confirmText: "Acme Rockets" }, w.cookies.owner);
    expect(response.status).toBe(502);
    expect(await pageText(response)).toContain("The subscription could not be cancelled with the payment provider just now. Nothing was deleted");
    expect(await orgRow(w.org.id)).toBeDefined();
    expect(await membershipsOf(db, w.org.id)).toHaveLength(3);
    expect(await db.selectFrom("org_deletion").select("id").execute()).toEqual([]);
  });

  it("deletes an org without a subscription without calling LemonSqueezy", async () => {
    const w = await anOrg();
    expect((await post("/orgs/acme/settings", { intent: "delete", confirm: "yes", confirmText: "Acme Rockets" }, w.cookies.owner)).status).toBe(302);
    expect(await orgRow(w.org.id)).toBeUndefined();
    expect(fake.requests).toEqual([]);
  });
});

describe("member pages", () => {
  it("tells a member who may open an admin page, with 403 instead of 404; outsiders still get 404", async () => {
    const w = await anOrg();
    const audit = await get("/orgs/acme/audit", w.cookies.member);
    expect(audit.status).toBe(403);
    expect(await pageText(audit)).toContain("Only admins can see the audit history.");
    const keys = await get("/orgs/acme/api-keys", w.cookies.member);
    expect(keys.status).toBe(403);
    expect(await pageText(keys)).toContain("Only admins can manage the organization's API keys.");
    const settings = await get("/orgs/acme/settings", w.cookies.member);
    expect(settings.status).toBe(200);
    const text = await pageText(settings);
    expect(text).toContain("Leave Acme Rockets");
    expect(text).not.toContain("Delete Acme Rockets");
    const outsider = await sessionCookieFor(db, await createUser(db, { email: "outsider@example.com" }));
    expect((await get("/orgs/acme/audit", outsider)).status).toBe(404);
  });
});
