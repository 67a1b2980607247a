// Organizations over HTTP, against the production build: org pages refuse
// outsiders and other orgs' ids with 404, the last-owner rule, invitations,
// API keys, the /api/v1 endpoints and the audit history with its exports.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { OrgRole } from "../../db/schema";
import { createApiKey } from "../../app/.server/orgs/api-keys";
import { recordAuditEvent } from "../../app/.server/orgs/audit";
import { hashToken } from "../../app/.server/tokens";
import { actorOf, auditEventsOf, createTestOrg, deletedUserLabel, membershipsOf, newInvitationToken, roleOf, type TestOrg } from "../factories/orgs";
import { createUser, queuedEmails, type TestUser, sessionCookieFor } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { newFormToken } from "../../app/.server/form-guards/one-time-form";
import { pageRequests } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());

/** A fresh one-time token, as a creating form carries from its render. */
const formToken = () => newFormToken();
const BODY_LIMIT_BYTES = 16_384;

let server: ServerProcess;
beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), BODY_LIMIT_BYTES: String(BODY_LIMIT_BYTES) });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});
beforeEach(() => truncateAll(db));

const PASSWORD = "a long and unusual passphrase";

// ---- requests -------------------------------------------------------------

const signIn = (user: TestUser) => sessionCookieFor(db, user);

const { get, post } = pageRequests(() => server);


function api(path: string, options: { key?: string; method?: string; json?: unknown; body?: string; headers?: Record<string, string> } = {}) {
  const body = options.body ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  return fetch(`${server.url}${path}`, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers: {
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(options.key ? { Authorization: `Bearer ${options.key}` } : {}),
      ...options.headers,
    },
    body,
    redirect: "manual",
  });
}

/** A page's HTML with React's text-joining comments removed, so "as {role}" reads "as admin". */
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

type ApiEvent = { id: string; action: string; actor: string; target: string | null; ip: string | null; metadata: Record<string, unknown>; created_at: string };
type ApiPage = { events: ApiEvent[]; next_cursor: string | null };

// ---- a world of two orgs --------------------------------------------------

type World = {
  a: TestOrg;
  b: TestOrg;
  ownerA: TestUser;
  adminA: TestUser;
  memberA: TestUser;
  ownerB: TestUser;
  memberB: TestUser;
  cookies: { ownerA: string; adminA: string; memberA: string; ownerB: string; memberB: string };
};

async function twoOrgs(): Promise<World> {
  const [ownerA, adminA, memberA, ownerB, memberB] = await Promise.all(
    ["owner-a", "admin-a", "member-a", "owner-b", "member-b"].map((name) => createUser(db, { email: `${name}@example.com`, name: null })),
  );
  const a = await createTestOrg(db, { slug: "alpha", owner: ownerA, members: [{ user: adminA!, role: "admin" }, { user: memberA!, role: "member" }] });
  const b = await createTestOrg(db, { slug: "bravo", owner: ownerB, members: [{ user: memberB!, role: "member" }] });
  const [cOwnerA, cAdminA, cMemberA, cOwnerB, cMemberB] = await Promise.all([ownerA!, adminA!, memberA!, ownerB!, memberB!].map(signIn));
  return {
    a,
    b,
    ownerA: ownerA!,
    adminA: adminA!,
    memberA: memberA!,
    ownerB: ownerB!,
    memberB: memberB!,
    cookies: { ownerA: cOwnerA!, adminA: cAdminA!, memberA: cMemberA!, ownerB: cOwnerB!, memberB: cMemberB! },
  };
}

/** Invites over HTTP and returns the token from the queued email. */
async function inviteOverHttp(slug: string, cookie: string, email: string, role: OrgRole = "member"): Promise<string> {
  return newInvitationToken(db, email, async () => {
    const response = await post(`/orgs/${slug}/invitations?intent=invite`, { intent: "invite", email, role, formToken: formToken() }, cookie);
    expect(response.status, await response.text()).toBe(200);
  });
}

async function pendingInvitationId(orgId: string, email: string): Promise<string> {
  const row = await db.selectFrom("org_invitation").select("id").where("org_id", "=", orgId).where("email", "=", email).where("revoked_at", "is", null).where("accepted_at", "is", null).executeTakeFirstOrThrow();
  return row.id;
}

/** Everything of an org that an attacker might try to change, to compare before and after. */
async function snapshot(org: TestOrg) {
  const [orgRow, members, invitations, keys, events] = await Promise.all([
    db.selectFrom("org").select(["slug", "name", "plan", "seat_limit"]).where("id", "=", org.id).executeTakeFirstOrThrow(),
    membershipsOf(db, org.id),
    db.selectFrom("org_invitation").select(["id", "email", "role", "token_hash", "expires_at", "accepted_at", "revoked_at"]).where("org_id", "=", org.id).orderBy("id").execute(),
    db.selectFrom("api_key").select(["id", "name", "secret_hash", "last_used_at", "revoked_at"]).where("org_id", "=", org.id).orderBy("id").execute(),
    auditEventsOf(db, org.id),
  ]);
  return { orgRow, members, invitations, keys, events };
}

const authorizationFailures = () => server.logs.filter((line) => line.msg === "authorization failed").length;

async function waitForLogCount(count: () => number, atLeast: number) {
  for (let i = 0; i < 100 && count() < atLeast; i++) await new Promise((r) => setTimeout(r, 20));
  return count();
}

// ---- tests ----------------------------------------------------------------

describe("creating an org", () => {
  it("makes the creator its owner and redirects to it; a reserved or taken slug is refused", async () => {
    const ada = await createUser(db);
    const cookie = await signIn(ada);
    const created = await post("/orgs/new", { name: "Acme", slug: "acme", formToken: formToken() }, cookie);
    expect(created.status).toBe(302);
    expect(created.headers.get("location")).toBe("/orgs/acme");
    const org = await db.selectFrom("org").select(["id", "plan"]).where("slug", "=", "acme").executeTakeFirstOrThrow();
    expect(await roleOf(db, org.id, ada.id)).toBe("owner");
    expect((await auditEventsOf(db, org.id)).map((e) => e.action)).toEqual(["org.created"]);
    expect((await get("/orgs/acme", cookie)).status).toBe(200);

    expect((await post("/orgs/new", { name: "Admin", slug: "admin", formToken: formToken() }, cookie)).status).toBe(400);
    expect((await post("/orgs/new", { name: "Bad", slug: "-bad-", formToken: formToken() }, cookie)).status).toBe(400);
    const taken = await post("/orgs/new", { name: "Acme again", slug: "acme", formToken: formToken() }, cookie);
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain("That address is taken");
    expect(await db.selectFrom("org").select("slug").execute()).toEqual([{ slug: "acme" }]);
  });

  it("sends a visitor who is not signed in to log in", async () => {
    const response = await get("/orgs/new");
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
  });
});

describe("members and the last-owner rule", () => {
  it("answers 409 when the only owner tries to leave, be removed or be demoted", async () => {
    const w = await twoOrgs();
    const before = await snapshot(w.a);
    const attempts: Array<Record<string, string>> = [{ intent: "leave", confirm: "yes" }, { intent: "remove", userId: w.ownerA.id, confirm: "yes" }, { intent: "role", userId: w.ownerA.id, role: "admin" }];
    for (const fields of attempts) {
      const response = await post("/orgs/alpha/members", fields, w.cookies.ownerA);
      expect(response.status, fields.intent).toBe(409);
      expect(await response.text()).toContain("must keep at least one owner");
    }
    expect(await snapshot(w.a)).toEqual(before);
  });

  it("lets an owner hand over ownership, then leave", async () => {
    const w = await twoOrgs();
    expect((await post("/orgs/alpha/members", { intent: "role", userId: w.adminA.id, role: "owner" }, w.cookies.ownerA)).status).toBe(200);
    const left = await post("/orgs/alpha/members", { intent: "leave", confirm: "yes" }, w.cookies.ownerA);
    expect(left.status).toBe(302);
    expect(left.headers.get("location")).toBe("/orgs");
    expect(await membershipsOf(db, w.a.id)).toEqual([
      ["admin-a@example.com", "owner"],
      ["member-a@example.com", "member"],
    ]);
  });

  it("refuses an admin promoting to owner (403) and a member changing roles (404)", async () => {
    const w = await twoOrgs();
    const before = await snapshot(w.a);
    expect((await post("/orgs/alpha/members", { intent: "role", userId: w.memberA.id, role: "owner" }, w.cookies.adminA)).status).toBe(403);
    expect((await post("/orgs/alpha/members", { intent: "role", userId: w.adminA.id, role: "owner" }, w.cookies.adminA)).status).toBe(403);
    expect((await post("/orgs/alpha/members", { intent: "role", userId: w.memberA.id, role: "admin" }, w.cookies.memberA)).status).toBe(404);
    expect((await post("/orgs/alpha/members", { intent: "role", userId: w.ownerA.id, role: "member" }, w.cookies.memberA)).status).toBe(404);
    expect((await post("/orgs/alpha/members", { intent: "remove", userId: w.adminA.id, confirm: "yes" }, w.cookies.memberA)).status).toBe(404);
    // An unknown field is a 400, not a way in.
    expect((await post("/orgs/alpha/members", { intent: "leave", role: "owner", isAdmin: "true" }, w.cookies.memberA)).status).toBe(400);
    expect(await snapshot(w.a)).toEqual(before);
  });

  it("removes a member at once: their next request is refused, their key and events stay with the org, renamed", async () => {
    const w = await twoOrgs();
    const key = await createApiKey(db, { orgId: w.a.id, name: "CI", actor: actorOf(w.adminA), ip: null });
    await recordAuditEvent(db, { orgId: w.a.id, actor: actorOf(w.adminA), action: "custom.deploy", target: "prod" });
    expect((await get("/orgs/alpha", w.cookies.adminA)).status).toBe(200);

    expect((await post("/orgs/alpha/members", { intent: "remove", userId: w.adminA.id, confirm: "yes" }, w.cookies.ownerA)).status).toBe(200);

    for (const path of ["/orgs/alpha", "/orgs/alpha/members", "/orgs/alpha/api-keys", "/orgs/alpha/audit"]) {
      expect((await get(path, w.cookies.adminA)).status, path).toBe(404);
    }
    expect((await post("/orgs/alpha/api-keys?intent=create", { intent: "create", name: "sneaky", formToken: formToken() }, w.cookies.adminA)).status).toBe(404);
    const orgResponse = await api("/api/v1/org", { key: key.key });
    expect(orgResponse.status).toBe(200);
    expect(await orgResponse.json()).toMatchObject({ slug: "alpha", member_count: 2 });
    const keysPage = await pageText(await get("/orgs/alpha/api-keys", w.cookies.ownerA));
    expect(keysPage).toContain(`<code>${key.prefix}…</code>`);

    const events = await auditEventsOf(db, w.a.id);
    expect(events.filter((e) => e.actor_id === w.adminA.id)).toEqual([]);
    expect(events.filter((e) => e.actor_label === deletedUserLabel(w.adminA.id)).map((e) => e.action)).toEqual(["api_key.created", "custom.deploy"]);
    const auditPage = await (await get("/orgs/alpha/audit", w.cookies.ownerA)).text();
    expect(auditPage).toContain(deletedUserLabel(w.adminA.id));
  });
});

describe("invitations", () => {
  it("accepts once with the invitation's role, for the invited account only", async () => {
    const w = await twoOrgs();
    const bob = await createUser(db, { email: "bob@example.com" });
    const eve = await createUser(db, { email: "eve@example.com" });
    const [bobCookie, eveCookie] = await Promise.all([signIn(bob), signIn(eve)]);
    const token = await inviteOverHttp("alpha", w.cookies.adminA, bob.email, "admin");

    const wrongPage = await get(`/invite/${token}`, eveCookie);
    expect(wrongPage.status).toBe(200);
    expect(await wrongPage.text()).toContain("sent to a different email address");
    const wrong = await post(`/invite/${token}?intent=accept`, { intent: "accept" }, eveCookie);
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain("sent to a different email address");
    expect(await roleOf(db, w.a.id, eve.id)).toBeNull();

    const accepted = await post(`/invite/${token}?intent=accept`, { intent: "accept" }, bobCookie);
    expect(accepted.status).toBe(302);
    expect(accepted.headers.get("location")).toBe("/orgs/alpha");
    expect(await roleOf(db, w.a.id, bob.id)).toBe("admin");
    expect((await get("/orgs/alpha/api-keys", bobCookie)).status).toBe(200);

    expect((await post(`/invite/${token}?intent=accept`, { intent: "accept" }, bobCookie)).status).toBe(410);
    expect(await (await get(`/invite/${token}`, bobCookie)).text()).toContain("This invitation no longer works");
  });

  it("takes the role from the invitation row: an extra role field is a 400, not an escalation", async () => {
    const w = await twoOrgs();
    const bob = await createUser(db, { email: "bob@example.com" });
    const bobCookie = await signIn(bob);
    const token = await inviteOverHttp("alpha", w.cookies.adminA, bob.email, "member");
    expect((await post(`/invite/${token}?intent=accept`, { intent: "accept", role: "owner" }, bobCookie)).status).toBe(400);
    expect(await roleOf(db, w.a.id, bob.id)).toBeNull();
    expect((await post(`/invite/${token}?intent=signup`, { intent: "signup", name: "", password: PASSWORD, role: "owner" })).status).toBe(400);
    expect((await post(`/invite/${token}?intent=accept`, { intent: "accept" }, bobCookie)).status).toBe(302);
    expect(await roleOf(db, w.a.id, bob.id)).toBe("member");
  });

  it("refuses an expired invitation and a revoked one", async () => {
    const w = await twoOrgs();
    const bob = await createUser(db, { email: "bob@example.com" });
    const carol = await createUser(db, { email: "carol@example.com" });
    const [bobCookie, carolCookie] = await Promise.all([signIn(bob), signIn(carol)]);
    const expired = await inviteOverHttp("alpha", w.cookies.adminA, bob.email);
    const revoked = await inviteOverHttp("alpha", w.cookies.adminA, carol.email);
    // Eight days on: the invitation runs seven.
    await db.updateTable("org_invitation").set({ expires_at: new Date(Date.now() - 86_400_000) }).where("email", "=", bob.email).execute();
    const revokeResponse = await post("/orgs/alpha/invitations?intent=manage", { intent: "revoke", invitationId: await pendingInvitationId(w.a.id, carol.email), confirm: "yes" }, w.cookies.adminA);
    expect(revokeResponse.status).toBe(200);

    expect((await post(`/invite/${expired}?intent=accept`, { intent: "accept" }, bobCookie)).status).toBe(410);
    expect((await post(`/invite/${revoked}?intent=accept`, { intent: "accept" }, carolCookie)).status).toBe(410);
    expect(await roleOf(db, w.a.id, bob.id)).toBeNull();
    expect(await roleOf(db, w.a.id, carol.id)).toBeNull();
  });

  it("replaces a pending invitation when the same address is invited again", async () => {
    const w = await twoOrgs();
    const first = await inviteOverHttp("alpha", w.cookies.adminA, "newbie@example.com", "member");
    const second = await inviteOverHttp("alpha", w.cookies.adminA, "newbie@example.com", "admin");
    expect(await (await get(`/invite/${first}`)).text()).toContain("This invitation no longer works");
    expect(await pageText(await get(`/invite/${second}`))).toContain("You are invited as an admin");
    const pending = await db.selectFrom("org_invitation").select("role").where("org_id", "=", w.a.id).where("revoked_at", "is", null).execute();
    expect(pending).toEqual([{ role: "admin" }]);
  });

  it("refuses an admin inviting an owner and a member inviting anyone (403)", async () => {
    const w = await twoOrgs();
    expect((await post("/orgs/alpha/invitations?intent=invite", { intent: "invite", email: "boss@example.com", role: "owner", formToken: formToken() }, w.cookies.adminA)).status).toBe(403);
    expect((await post("/orgs/alpha/invitations?intent=invite", { intent: "invite", email: "pal@example.com", role: "member", formToken: formToken() }, w.cookies.memberA)).status).toBe(403);
    expect(await db.selectFrom("org_invitation").select("id").execute()).toEqual([]);
    expect(await queuedEmails(db)).toEqual([]);
  });

  it("enforces the seat limit on invite and on accept", async () => {
    const w = await twoOrgs();
    const small = await createTestOrg(db, { slug: "small", owner: w.ownerA });
    const [carol, dave] = await Promise.all([createUser(db, { email: "carol@example.com" }), createUser(db, { email: "dave@example.com" })]);
    const [carolCookie, daveCookie] = await Promise.all([signIn(carol), signIn(dave)]);
    const carolToken = await inviteOverHttp("small", w.cookies.ownerA, carol.email);
    const daveToken = await inviteOverHttp("small", w.cookies.ownerA, dave.email);
    await db.updateTable("org").set({ seat_limit: 2 }).where("id", "=", small.id).execute();

    const full = await post("/orgs/small/invitations?intent=invite", { intent: "invite", email: "erin@example.com", role: "member", formToken: formToken() }, w.cookies.ownerA);
    expect(full.status).toBe(409);
    expect(await full.text()).toContain("Every seat of your plan is taken");
    expect(await queuedEmails(db, "erin@example.com")).toEqual([]);

    expect((await post(`/invite/${carolToken}?intent=accept`, { intent: "accept" }, carolCookie)).status).toBe(302);
    const noSeat = await post(`/invite/${daveToken}?intent=accept`, { intent: "accept" }, daveCookie);
    expect(noSeat.status).toBe(409);
    expect(await noSeat.text()).toContain("no free seat");
    expect(await membershipsOf(db, small.id)).toEqual([
      ["carol@example.com", "member"],
      ["owner-a@example.com", "owner"],
    ]);
  });

  it("lets a new person sign up from the link: verified, signed in, a member with the invited role", async () => {
    const w = await twoOrgs();
    const token = await inviteOverHttp("alpha", w.cookies.ownerA, "newbie@example.com", "admin");
    const page = await get(`/invite/${token}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await page.text()).toContain("Create my account and join");

    const response = await post(`/invite/${token}?intent=signup`, { intent: "signup", name: "Newbie", password: PASSWORD });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/orgs/alpha");
    const cookie = /gatehouse_session=[^;]+/.exec(response.headers.get("set-cookie") ?? "")?.[0];
    expect(cookie).toBeDefined();
    const user = await db.selectFrom("user").select(["id", "name", "email_verified_at"]).where("email", "=", "newbie@example.com").executeTakeFirstOrThrow();
    expect(user.email_verified_at).not.toBeNull();
    expect(await roleOf(db, w.a.id, user.id)).toBe("admin");
    expect((await get("/orgs/alpha/invitations", cookie)).status).toBe(200);
    expect((await post(`/invite/${token}?intent=signup`, { intent: "signup", name: "Again", password: PASSWORD })).status).toBe(410);
  });
});

describe("API keys", () => {
  it("shows a new gk_ key once, stores its SHA-256 only, lists prefix, creator and last use, and revokes at once", async () => {
    const w = await twoOrgs();
    const created = await post("/orgs/alpha/api-keys?intent=create", { intent: "create", name: "CI deploys", formToken: formToken() }, w.cookies.adminA);
    expect(created.status).toBe(200);
    const key = /gk_[a-z2-7]{32}/.exec(await created.text())?.[0];
    expect(key).toBeDefined();
    const row = await db.selectFrom("api_key").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ org_id: w.a.id, name: "CI deploys", prefix: key!.slice(0, 11), created_by: w.adminA.id });
    expect(Buffer.from(row.secret_hash)).toEqual(Buffer.from(hashToken(key!)));
    expect(JSON.stringify({ ...row, secret_hash: Buffer.from(row.secret_hash).toString("latin1") })).not.toContain(key!.slice(11));

    let list = await pageText(await get("/orgs/alpha/api-keys", w.cookies.ownerA));
    expect(list).toContain(`<code>${row.prefix}…</code>`);
    expect(list).toContain("admin-a@example.com");
    expect(list).not.toContain(key!);
    expect(list).toContain(`<td data-label="Last used">Never</td>`);

    expect((await api("/api/v1/org", { key })).status).toBe(200);
    expect((await api("/api/v1/org", { key })).status).toBe(200);
    list = await pageText(await get("/orgs/alpha/api-keys", w.cookies.ownerA));
    expect(list).not.toContain(`<td data-label="Last used">Never</td>`);
    expect((await auditEventsOf(db, w.a.id)).filter((e) => e.action === "api_key.first_used")).toHaveLength(1);

    const revoked = await post("/orgs/alpha/api-keys?intent=revoke", { intent: "revoke", keyId: row.id, confirm: "yes" }, w.cookies.adminA);
    expect(revoked.status).toBe(200);
    const after = await api("/api/v1/org", { key });
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: expect.stringContaining("API key") });
    expect((await auditEventsOf(db, w.a.id)).map((e) => e.action)).toEqual(["api_key.created", "api_key.first_used", "api_key.revoked"]);
  });
});

describe("/api/v1", () => {
  async function keyFor(org: TestOrg, by: TestUser) {
    return (await createApiKey(db, { orgId: org.id, name: "CLI", actor: actorOf(by), ip: null })).key;
  }

  it("GET /api/v1/org answers the key's org: name, plan, member count", async () => {
    const w = await twoOrgs();
    const response = await api("/api/v1/org", { key: await keyFor(w.a, w.ownerA) });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ slug: "alpha", name: "Alpha", plan: "enterprise", seat_limit: null, member_count: 3 });
    expect(await (await api("/api/v1/org", { key: await keyFor(w.b, w.ownerB) })).json()).toMatchObject({ slug: "bravo", member_count: 2 });
  });

  it("refuses a missing, unknown, malformed or revoked key, and a session cookie alone, with 401 JSON", async () => {
    const w = await twoOrgs();
    const created = await createApiKey(db, { orgId: w.a.id, name: "old", actor: actorOf(w.ownerA), ip: null });
    await db.updateTable("api_key").set({ revoked_at: new Date() }).where("id", "=", created.id).execute();
    const attempts: Array<Record<string, string>> = [
      {},
      { Authorization: "Bearer gk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
      { Authorization: `Bearer ${created.key}` },
      { Authorization: `Basic ${Buffer.from(`x:${created.key}`).toString("base64")}` },
      { Authorization: "Bearer" },
      { Cookie: w.cookies.ownerA },
    ];
    for (const headers of attempts) {
      for (const [path, init] of [
        ["/api/v1/org", {}],
        ["/api/v1/audit-events", {}],
        ["/api/v1/audit-events", { json: { action: "x.y" } }],
      ] as const) {
        const response = await api(path, { ...init, headers });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(response.headers.get("content-type")).toMatch(/^application\/json/);
        expect(await response.json()).toHaveProperty("error");
      }
    }
    expect(await db.selectFrom("audit_event").select("action").where("action", "=", "x.y").execute()).toEqual([]);
  });

  it("POST /api/v1/audit-events stores a valid event (201), with no CSRF check, and GET pages it with a cursor", async () => {
    const w = await twoOrgs();
    const key = await keyFor(w.a, w.ownerA);
    expect((await api("/api/v1/org", { key })).status).toBe(200); // first use, recorded now, out of the way
    await db.deleteFrom("audit_event").execute();

    // No Origin and no Sec-Fetch-Site (a server, not a browser), and even a cross-site one: the key is what counts.
    const first = await api("/api/v1/audit-events", { key, json: { action: "deploy.finished", target: "web@1.2.3", actor: "ci-bot", occurred_at: "2026-11-20T10:00:00Z", metadata: { build: 41 } } });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ ok: true });
    const crossSite = await api("/api/v1/audit-events", { key, json: { action: "deploy.started" }, headers: { "Sec-Fetch-Site": "cross-site", Origin: "https://evil.example" } });
    expect(crossSite.status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await api("/api/v1/audit-events", { key, json: { action: `step.${i}` } })).status).toBe(201);

    const stored = await auditEventsOf(db, w.a.id);
    expect(stored[0]).toMatchObject({ action: "deploy.finished", actor_id: null, actor_label: "ci-bot", target: "web@1.2.3", created_at: new Date("2026-11-20T10:00:00Z") });
    expect(stored[0]!.metadata).toEqual({ build: 41, via: expect.stringMatching(/^API key gk_[a-z2-7]{8}… \(CLI\)$/) });
    expect(stored[1]).toMatchObject({ action: "deploy.started", actor_label: expect.stringMatching(/^API key gk_/) });
    expect(await auditEventsOf(db, w.b.id)).toEqual([]);

    const pages: ApiPage[] = [];
    let cursor: string | null = null;
    do {
      const response = await api(`/api/v1/audit-events?limit=2${cursor ? `&cursor=${cursor}` : ""}`, { key });
      expect(response.status).toBe(200);
      const page = (await response.json()) as ApiPage;
      pages.push(page);
      cursor = page.next_cursor;
    } while (cursor && pages.length < 10);
    expect(pages.map((p) => p.events.length)).toEqual([2, 2, 1]);
    const actions = pages.flatMap((p) => p.events.map((e) => e.action));
    expect(actions).toEqual(["step.2", "step.1", "step.0", "deploy.started", "deploy.finished"]);
    expect(new Set(pages.flatMap((p) => p.events.map((e) => e.id))).size).toBe(5);

    for (const query of ["limit=0", "limit=101", "limit=abc", "limit=1.5", "cursor=abc", "cursor=1%20or%201=1"]) {
      const response = await api(`/api/v1/audit-events?${query}`, { key });
      expect(response.status, query).toBe(400);
      expect(await response.json()).toHaveProperty("error");
    }
  });

  it("answers bad input with JSON errors: 400 bad JSON, 400 unknown field, 400 large metadata, 413 large body, 415 wrong type", async () => {
    const w = await twoOrgs();
    const key = await keyFor(w.a, w.ownerA);
    const expectJson = async (response: Response, status: number) => {
      expect(response.status).toBe(status);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      return (await response.json()) as { error: string; details?: Record<string, string> };
    };

    expect((await expectJson(await api("/api/v1/audit-events", { key, body: "{not json" }), 400)).error).toMatch(/not valid JSON/);
    const unknown = await expectJson(await api("/api/v1/audit-events", { key, json: { action: "deploy.finished", password: "hunter2" } }), 400);
    expect(JSON.stringify(unknown.details)).toContain("password");
    const badAction = await expectJson(await api("/api/v1/audit-events", { key, json: { action: "Not An Action!" } }), 400);
    expect(badAction.details).toHaveProperty("action");
    for (const body of [[], "text", 42, null, {}]) {
      expect((await api("/api/v1/audit-events", { key, json: body })).status, JSON.stringify(body)).toBe(400);
    }
    const bigMetadata = await expectJson(await api("/api/v1/audit-events", { key, json: { action: "x.y", metadata: { blob: "x".repeat(5000) } } }), 400);
    expect(bigMetadata.details).toHaveProperty("metadata");
    // Just under the limit still fits.
    expect((await api("/api/v1/audit-events", { key, json: { action: "x.y", metadata: { blob: "x".repeat(4000) } } })).status).toBe(201);
    const tooBig = await expectJson(await api("/api/v1/audit-events", { key, json: { action: "x.y", target: "x".repeat(BODY_LIMIT_BYTES) } }), 413);
    expect(tooBig.error).toMatch(/larger than/);
    const wrongType = await api("/api/v1/audit-events", { key, body: JSON.stringify({ action: "x.y" }), headers: { "Content-Type": "text/plain" } });
    await expectJson(wrongType, 415);
    const form = await api("/api/v1/audit-events", { key, body: "action=x.y", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
    await expectJson(form, 415);
    expect((await auditEventsOf(db, w.a.id)).filter((e) => e.action === "x.y")).toHaveLength(1);
  });

  it("keeps each key to its own org's events, whatever the cursor", async () => {
    const w = await twoOrgs();
    const keyA = await keyFor(w.a, w.ownerA);
    const keyB = await keyFor(w.b, w.ownerB);
    for (let i = 0; i < 3; i++) {
      expect((await api("/api/v1/audit-events", { key: keyB, json: { action: "bravo.secret" } })).status).toBe(201);
      expect((await api("/api/v1/audit-events", { key: keyA, json: { action: "alpha.event" } })).status).toBe(201);
    }
    const bIds = (await auditEventsOf(db, w.b.id)).map((e) => Number(e.id));
    for (const cursor of [...bIds, Math.max(...bIds) + 1]) {
      const page = (await (await api(`/api/v1/audit-events?limit=100&cursor=${cursor}`, { key: keyA })).json()) as ApiPage;
      for (const event of page.events) expect(event.action).not.toBe("bravo.secret");
    }
  });

  it("measures POST /api/v1/audit-events throughput", { timeout: 300_000 }, async () => {
    const w = await twoOrgs();
    const key = await keyFor(w.a, w.ownerA);
    const event = (i: number) => ({ action: "bench.event", target: `item-${i}`, actor: "bench", metadata: { i, note: "throughput" } });
    expect((await api("/api/v1/audit-events", { key, json: event(-1) })).status).toBe(201); // warm-up

    const COUNT = 200;
    let started = performance.now();
    for (let i = 0; i < COUNT; i++) expect((await api("/api/v1/audit-events", { key, json: event(i) })).status).toBe(201);
    const sequential = COUNT / ((performance.now() - started) / 1000);

    const CONCURRENCY = 10;
    let next = 0;
    const statuses: number[] = [];
    started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < COUNT) {
          const i = next++;
          const response = await api("/api/v1/audit-events", { key, json: event(COUNT + i) });
          await response.arrayBuffer();
          statuses.push(response.status);
        }
      }),
    );
    const parallel = COUNT / ((performance.now() - started) / 1000);
    expect(statuses.filter((s) => s !== 201)).toEqual([]);
    expect((await auditEventsOf(db, w.a.id)).filter((e) => e.action === "bench.event")).toHaveLength(2 * COUNT + 1);
    console.log(`POST /api/v1/audit-events throughput: sequential ${sequential.toFixed(1)} events/s; ${CONCURRENCY} concurrent ${parallel.toFixed(1)} events/s (${COUNT} events each)`);
  });
});

describe("IDOR across two orgs", () => {
  async function seedB(w: World) {
    await inviteOverHttp("bravo", w.cookies.ownerB, "pending-b@example.com", "member");
    const keyB = await createApiKey(db, { orgId: w.b.id, name: "B's key", actor: actorOf(w.ownerB), ip: null });
    await recordAuditEvent(db, { orgId: w.b.id, actor: actorOf(w.ownerB), action: "bravo.secret", target: "bravo-confidential-target" });
    return { invitationId: await pendingInvitationId(w.b.id, "pending-b@example.com"), keyId: keyB.id };
  }

  it("answers 404 to an admin of A on every page of B, reading or writing, and changes nothing in B", async () => {
    const w = await twoOrgs();
    const ids = await seedB(w);
    const before = await snapshot(w.b);
    const emailsBefore = (await queuedEmails(db)).length;
    const failuresBefore = authorizationFailures();
    const cookie = w.cookies.adminA;

    const reads = ["/orgs/bravo", "/orgs/bravo/members", "/orgs/bravo/invitations", "/orgs/bravo/api-keys", "/orgs/bravo/audit", "/orgs/bravo/audit?format=csv", "/orgs/bravo/audit?format=json"];
    for (const path of reads) {
      const response = await get(path, cookie);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).not.toContain("bravo-confidential-target");
    }
    const writes: Array<[string, Record<string, string>]> = [
      ["/orgs/bravo/members", { intent: "role", userId: w.memberB.id, role: "admin" }],
      ["/orgs/bravo/members", { intent: "role", userId: w.adminA.id, role: "owner" }],
      ["/orgs/bravo/members", { intent: "remove", userId: w.memberB.id, confirm: "yes" }],
      ["/orgs/bravo/members", { intent: "remove", userId: w.ownerB.id, confirm: "yes" }],
      ["/orgs/bravo/members", { intent: "leave", confirm: "yes" }],
      ["/orgs/bravo/invitations?intent=invite", { intent: "invite", email: "admin-a@example.com", role: "owner", formToken: formToken() }],
      ["/orgs/bravo/invitations?intent=manage", { intent: "revoke", invitationId: ids.invitationId, confirm: "yes" }],
      ["/orgs/bravo/invitations?intent=manage", { intent: "resend", invitationId: ids.invitationId }],
      ["/orgs/bravo/api-keys?intent=create", { intent: "create", name: "mine now", formToken: formToken() }],
      ["/orgs/bravo/api-keys?intent=revoke", { intent: "revoke", keyId: ids.keyId, confirm: "yes" }],
    ];
    for (const [path, fields] of writes) {
      expect((await post(path, fields, cookie)).status, `${path} ${fields.intent}`).toBe(404);
    }
    // A member of B (not an admin) fares no better on B's admin pages: told who may, shown nothing.
    for (const path of ["/orgs/bravo/invitations", "/orgs/bravo/api-keys", "/orgs/bravo/audit"]) {
      const response = await get(path, w.cookies.memberB);
      expect(response.status, path).toBe(403);
      expect(await response.text(), path).not.toContain("bravo-confidential-target");
    }

    expect(await snapshot(w.b)).toEqual(before);
    expect(await queuedEmails(db)).toHaveLength(emailsBefore);
    // Each refusal is logged as a failed authorization, once (an org page's frame and the page both check).
    const expected = failuresBefore + reads.length + writes.length + 3;
    await waitForLogCount(authorizationFailures, expected);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(authorizationFailures()).toBe(expected);
  });

  it("changes nothing in B when an admin of A posts B's member, invitation and key ids to A's own pages", async () => {
    const w = await twoOrgs();
    const ids = await seedB(w);
    const before = await snapshot(w.b);
    // The owner of A holds every right in A, so only the org scoping stops these.
    for (const cookie of [w.cookies.adminA, w.cookies.ownerA]) {
      const attempts: Array<[string, Record<string, string>]> = [
        ["/orgs/alpha/members", { intent: "role", userId: w.memberB.id, role: "admin" }],
        ["/orgs/alpha/members", { intent: "role", userId: w.ownerB.id, role: "member" }],
        ["/orgs/alpha/members", { intent: "remove", userId: w.memberB.id, confirm: "yes" }],
        ["/orgs/alpha/invitations?intent=manage", { intent: "revoke", invitationId: ids.invitationId, confirm: "yes" }],
        ["/orgs/alpha/invitations?intent=manage", { intent: "resend", invitationId: ids.invitationId }],
        ["/orgs/alpha/api-keys?intent=revoke", { intent: "revoke", keyId: ids.keyId, confirm: "yes" }],
      ];
      for (const [path, fields] of attempts) {
        expect((await post(path, fields, cookie)).status, `${path} ${fields.intent}`).toBe(404);
      }
    }
    expect(await snapshot(w.b)).toEqual(before);
    expect((await auditEventsOf(db, w.a.id)).map((e) => e.action)).toEqual([]);
  });

  it("answers a member of A on A's admin pages and admin actions with a 403 that says who may; the members page stays readable", async () => {
    const w = await twoOrgs();
    const before = await snapshot(w.a);
    // A member knows the org exists: they are told why, not shown a 404.
    for (const path of ["/orgs/alpha/invitations", "/orgs/alpha/api-keys", "/orgs/alpha/audit", "/orgs/alpha/audit?format=csv", "/orgs/alpha/audit?format=json"]) {
      const response = await get(path, w.cookies.memberA);
      expect(response.status, path).toBe(403);
      expect(await pageText(response), path).toMatch(/Only admins can/);
    }
    for (const [path, fields, status] of [
      ["/orgs/alpha/members", { intent: "role", userId: w.memberA.id, role: "admin" }, 404],
      ["/orgs/alpha/members", { intent: "remove", userId: w.adminA.id, confirm: "yes" }, 404],
      ["/orgs/alpha/invitations?intent=invite", { intent: "invite", email: "pal@example.com", role: "member", formToken: formToken() }, 403],
      ["/orgs/alpha/api-keys?intent=create", { intent: "create", name: "mine", formToken: formToken() }, 403],
    ] as Array<[string, Record<string, string>, number]>) {
      expect((await post(path, fields, w.cookies.memberA)).status, `${path} ${fields.intent}`).toBe(status);
    }
    expect((await get("/orgs/alpha/members", w.cookies.memberA)).status).toBe(200);
    expect((await get("/orgs/alpha", w.cookies.memberA)).status).toBe(200);
    expect(await snapshot(w.a)).toEqual(before);
  });

  it("answers an outsider with the same 404 as an org that does not exist", async () => {
    const w = await twoOrgs();
    const stranger = await signIn(await createUser(db, { email: "stranger@example.com" }));
    const real = await get("/orgs/alpha", stranger);
    const missing = await get("/orgs/no-such-org", stranger);
    expect(real.status).toBe(404);
    expect(missing.status).toBe(404);
    expect((await real.text()).replace(/nonce="[^"]+"/g, "")).toBe((await missing.text()).replace(/nonce="[^"]+"/g, ""));
    expect((await get("/orgs/alpha", w.cookies.ownerA)).status).toBe(200);
  });
});

describe("the audit history page", () => {
  async function seedEvents(w: World) {
    const add = (org: TestOrg, by: TestUser, action: string, target: string) => recordAuditEvent(db, { orgId: org.id, actor: actorOf(by), action, target });
    await add(w.a, w.ownerA, "member.invited", "target-one");
    await add(w.b, w.ownerB, "bravo.secret", "bravo-confidential-1");
    await add(w.a, w.adminA, "api_key.created", "target-two");
    await add(w.b, w.ownerB, "bravo.secret", "bravo-confidential-2");
    await add(w.a, w.adminA, "member.invited", "target-three");
    await add(w.b, w.ownerB, "bravo.secret", "bravo-confidential-3");
  }

  it("filters by action and by actor", async () => {
    const w = await twoOrgs();
    await seedEvents(w);
    const page = (query: string) => get(`/orgs/alpha/audit?${query}`, w.cookies.adminA).then((r) => r.text());

    const all = await page("");
    for (const target of ["target-one", "target-two", "target-three"]) expect(all).toContain(target);
    expect(all).not.toContain("bravo-confidential");
    expect(all).not.toContain("bravo.secret");

    const invited = await page("action=member.invited");
    expect(invited).toContain("target-one");
    expect(invited).toContain("target-three");
    expect(invited).not.toContain("target-two");

    // The actor is picked from the members (by id), or typed as a member's email.
    for (const actor of [w.adminA.id, w.adminA.email, w.adminA.email.toUpperCase()]) {
      const byAdmin = await page(`actor=${encodeURIComponent(actor)}`);
      expect(byAdmin, actor).toContain("target-two");
      expect(byAdmin, actor).toContain("target-three");
      expect(byAdmin, actor).not.toContain("target-one");
    }
    // Someone of another org names nobody here; a fragment of an address matches nothing.
    for (const actor of [w.ownerB.id, w.ownerB.email, "admin-a", "%"]) {
      const other = await page(`actor=${encodeURIComponent(actor)}`);
      for (const target of ["target-one", "target-two", "target-three", "bravo-confidential"]) expect(other, actor).not.toContain(target);
    }

    const both = await page(`action=member.invited&actor=${w.adminA.id}`);
    expect(both).toContain("target-three");
    expect(both).not.toContain("target-one");
    expect(both).not.toContain("target-two");
  });

  it("cannot be steered into another org's rows with a before cursor", async () => {
    const w = await twoOrgs();
    await seedEvents(w);
    const bIds = (await auditEventsOf(db, w.b.id)).map((e) => Number(e.id));
    for (const before of [...bIds, Math.max(...bIds) + 1, "999999999999999999", "1 or 1=1"]) {
      const response = await get(`/orgs/alpha/audit?before=${encodeURIComponent(String(before))}`, w.cookies.adminA);
      expect(response.status).toBe(200);
      expect(await response.text(), `before=${before}`).not.toContain("bravo-confidential");
    }
  });

  it("exports CSV with formula cells escaped, and JSON that parses", async () => {
    const w = await twoOrgs();
    await seedEvents(w);
    await recordAuditEvent(db, { orgId: w.a.id, actor: { userId: null, label: "=cmd|' /C calc'!A0" }, action: "custom.push", target: '=HYPERLINK("http://evil.example","click")', metadata: { note: "+1" } });

    const csv = await get("/orgs/alpha/audit?format=csv", w.cookies.adminA);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-alpha-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await csv.text();
    const lines = text.trimEnd().split("\r\n");
    expect(lines[0]).toBe('"id","time","actor","action","target","ip","metadata"');
    expect(lines).toHaveLength(1 + 4);
    expect(text).toContain(`"'=cmd|' /C calc'!A0"`);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).not.toMatch(/(^|,)"[=+\-@]/m);
    expect(text).not.toContain("bravo-confidential");

    const json = await get("/orgs/alpha/audit?format=json&action=member.invited", w.cookies.adminA);
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
    const rows = (await json.json()) as Array<{ id: string; actor: string; action: string; target: string; metadata: unknown }>;
    expect(rows.map((r) => r.target)).toEqual(["target-three", "target-one"]);
    expect(rows[0]).toMatchObject({ actor: "admin-a@example.com", action: "member.invited", metadata: {} });
  });
});
