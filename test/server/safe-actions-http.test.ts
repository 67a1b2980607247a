// Destructive actions and creating forms over HTTP, against the production
// build, the way a browser without JavaScript (or a forged request) sends them:
// every destructive POST without the confirmation changes nothing; an
// irreversible one also needs the name typed; a creating form sent twice from
// the same render creates one thing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../../app/.server/orgs/api-keys";
import { createEndpoint } from "../../app/.server/events/endpoints";
import { newFormToken } from "../../app/.server/form-guards/one-time-form";
import { actorOf, createTestOrg, membershipsOf, type TestOrg } from "../factories/orgs";
import { createUser, sessionCookieFor, type TestUser } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { pageRequests } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());

let server: ServerProcess;
beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl() });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});
beforeEach(() => truncateAll(db));

const { get, post } = pageRequests(() => server);
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

type World = { org: TestOrg; owner: TestUser; admin: TestUser; member: TestUser; cookies: { owner: string; admin: string; member: string }; keyId: string; invitationId: string; endpointId: string };

async function world(): Promise<World> {
  const owner = await createUser(db, { email: "owner@example.com", name: "Olivia Owner" });
  const admin = await createUser(db, { email: "admin@example.com", name: "Ada Admin" });
  const member = await createUser(db, { email: "member@example.com", name: "Max Member" });
  await db.updateTable("user").set({ is_operator: true }).where("id", "=", owner.id).execute();
  const org = await createTestOrg(db, { slug: "acme", owner, members: [{ user: admin, role: "admin" }, { user: member, role: "member" }] });
  const { id: keyId } = await createApiKey(db, { orgId: org.id, name: "CI deploys", actor: actorOf(owner), ip: null });
  const invitation = await db
    .insertInto("org_invitation")
    .values({ org_id: org.id, email: "guest@example.com", role: "member", token_hash: new Uint8Array(32), invited_by: owner.id, expires_at: new Date(Date.now() + 86_400_000) })
    .returning("id")
    .executeTakeFirstOrThrow();
  const cookies = { owner: await sessionCookieFor(db, owner), admin: await sessionCookieFor(db, admin), member: await sessionCookieFor(db, member) };
  const endpoint = await createEndpoint(db, { orgId: org.id, url: "https://siem.example.com/in", description: "", eventTypes: ["audit.event"], createdBy: owner.id, audit: null });
  return { org, owner, admin, member, cookies, keyId, invitationId: invitation.id, endpointId: endpoint.id };
}

/** Everything a destructive action here could change. */
async function state(orgId: string) {
  const [members, keys, invitations, users, sessions, notices, endpoints] = await Promise.all([
    membershipsOf(db, orgId),
    db.selectFrom("api_key").select(["id", "revoked_at"]).where("org_id", "=", orgId).orderBy("id").execute(),
    db.selectFrom("org_invitation").select(["id", "revoked_at"]).where("org_id", "=", orgId).orderBy("id").execute(),
    db.selectFrom("user").select(["id", "email", "purge_after"]).orderBy("email").execute(),
    db.selectFrom("session").select("id").orderBy("id").execute(),
    db.selectFrom("notice").select("id").execute(),
    db.selectFrom("webhook_endpoint").select(["id", "secret_ciphertext"]).orderBy("id").execute(),
  ]);
  return { members, keys, invitations, users, sessions, notices, endpoints };
}

describe("a destructive action without its confirmation", () => {
  it("changes nothing, whatever the action, and says to confirm first", async () => {
    const w = await world();
    // A second session of the owner, so "sign out everywhere else" has something to end.
    await sessionCookieFor(db, w.owner);
    const sessions = await db.selectFrom("session").select("id").where("user_id", "=", w.owner.id).execute();
    const attempts: Array<[string, Record<string, string>, string]> = [
      ["/orgs/acme/api-keys?intent=revoke", { intent: "revoke", keyId: w.keyId }, w.cookies.owner],
      ["/orgs/acme/members", { intent: "remove", userId: w.member.id }, w.cookies.owner],
      ["/orgs/acme/members", { intent: "leave" }, w.cookies.admin],
      ["/orgs/acme/invitations?intent=manage", { intent: "revoke", invitationId: w.invitationId }, w.cookies.owner],
      ["/settings/sessions", { intent: "end-others" }, w.cookies.owner],
      ["/settings/sessions", { intent: "end", sessionId: sessions[0]!.id }, w.cookies.owner],
      ["/admin/users", { userId: w.member.id, when: "grace" }, w.cookies.owner],
      ["/admin/users", { userId: w.member.id, when: "now" }, w.cookies.owner],
      ["/admin/notices", { title: "New terms", body: "We changed them.", link: "" }, w.cookies.owner],
      ["/orgs/acme/webhooks?intent=delete", { intent: "delete", endpointId: w.endpointId }, w.cookies.owner],
      ["/orgs/acme/webhooks?intent=rotate", { intent: "rotate", endpointId: w.endpointId }, w.cookies.owner],
      // A confirm field with any other value is no confirmation either.
      ["/orgs/acme/api-keys?intent=revoke", { intent: "revoke", keyId: w.keyId, confirm: "no" }, w.cookies.owner],
      // Signing an app out, deleting an app, removing a second factor: each asks first too.
      ["/settings/apps", { grantId: "any-grant" }, w.cookies.owner],
      ["/admin/apps", { intent: "delete", clientId: "any-client", grants: "", scopes: "" }, w.cookies.owner],
      ["/settings/security?intent=totp-remove", { intent: "totp-remove" }, w.cookies.owner],
      ["/settings/security?intent=passkey-remove", { intent: "passkey-remove", passkeyId: "00000000-0000-4000-8000-000000000000" }, w.cookies.owner],
    ];
    const before = await state(w.org.id);
    for (const [path, fields, cookie] of attempts) {
      const response = await post(path, fields, cookie);
      expect(response.status, `${path} ${JSON.stringify(fields)}`).toBe(400);
      const text = await pageText(response);
      // The page explains: either "confirm first", or (publishing a notice) the confirmation step itself.
      expect(text, path).toMatch(/Please confirm this action first\. Nothing was changed\.|Publish “New terms” and email/);
    }
    expect(await state(w.org.id)).toEqual(before);
  });

  it("goes through with confirm=yes", async () => {
    const w = await world();
    expect((await post("/orgs/acme/api-keys?intent=revoke", { intent: "revoke", keyId: w.keyId, confirm: "yes" }, w.cookies.owner)).status).toBe(200);
    expect((await post("/orgs/acme/members", { intent: "remove", userId: w.member.id, confirm: "yes" }, w.cookies.owner)).status).toBe(200);
    expect((await post("/orgs/acme/invitations?intent=manage", { intent: "revoke", invitationId: w.invitationId, confirm: "yes" }, w.cookies.owner)).status).toBe(200);
    expect((await post("/orgs/acme/members", { intent: "leave", confirm: "yes" }, w.cookies.admin)).status).toBe(302);
    const after = await state(w.org.id);
    expect(after.keys[0]!.revoked_at).not.toBeNull();
    expect(after.invitations[0]!.revoked_at).not.toBeNull();
    expect(after.members).toEqual([["owner@example.com", "owner"]]);
  });

  it("erases an account at once only when the operator typed its email exactly", async () => {
    const w = await world();
    const erase = (confirmText?: string) => post("/admin/users", { userId: w.member.id, when: "now", confirm: "yes", ...(confirmText === undefined ? {} : { confirmText }) }, w.cookies.owner);
    for (const typed of [undefined, "", "MEMBER@example.com", "member@example.co", "owner@example.com"]) {
      const response = await erase(typed);
      expect(response.status, String(typed)).toBe(400);
      expect(await response.text()).toContain("Nothing was changed");
    }
    expect(await db.selectFrom("user").select("id").where("id", "=", w.member.id).executeTakeFirst()).toBeDefined();
    expect((await erase("  member@example.com ")).status).toBe(200);
    const erased = await db.selectFrom("user").select(["email", "purge_after"]).where("id", "=", w.member.id).executeTakeFirst();
    expect(erased?.email ?? null).not.toBe("member@example.com");
  });

  it("offers the confirmation step for a notice, and publishes only when it comes back confirmed", async () => {
    const w = await world();
    const fields = { title: "New terms", body: "We changed them.", link: "/privacy" };
    const step = await post("/admin/notices", fields, w.cookies.owner);
    expect(step.status).toBe(400);
    const html = await pageText(step);
    expect(html).toContain("Publish “New terms” and email all 3 active accounts?");
    // The step carries the values back, with the confirmation.
    expect(html).toMatch(/<input type="hidden" name="body" value="We changed them."\/>/);
    expect(html).toMatch(/<input type="hidden" name="confirm" value="yes"\/>/);
    expect(await db.selectFrom("notice").select("id").execute()).toHaveLength(0);
    const published = await post("/admin/notices", { ...fields, confirm: "yes" }, w.cookies.owner);
    expect(published.status).toBe(303);
    expect(await db.selectFrom("notice").select("id").execute()).toHaveLength(1);
  });

  it("shows the confirmation step without JavaScript at ?confirm=<id>, posting back to the page's own action", async () => {
    const w = await world();
    const page = await pageText(await get(`/orgs/acme/api-keys?confirm=revoke-${w.keyId}`, w.cookies.owner));
    expect(page).toContain("Revoke the key “CI deploys”?");
    expect(page).toContain('action="/orgs/acme/api-keys?intent=revoke"');
    expect(page).toMatch(/<input type="hidden" name="keyId" value="[0-9a-f-]{36}"\/>/);
    // Elsewhere on the page the trigger is a link to that step.
    const list = await pageText(await get("/orgs/acme/api-keys", w.cookies.owner));
    expect(list).toContain(`href="/orgs/acme/api-keys?confirm=revoke-${w.keyId}#confirm-revoke-${w.keyId}"`);
  });
});

describe("a creating form sent twice from the same render", () => {
  it("creates one API key, and the repeat says so without the secret", async () => {
    const w = await world();
    const formToken = newFormToken();
    const send = () => post("/orgs/acme/api-keys?intent=create", { intent: "create", name: "Deploy bot", formToken }, w.cookies.owner);
    const [first, second] = await Promise.all([send(), send()]);
    const answers = [await pageText(first), await pageText(second)];
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(answers.filter((text) => /gk_[a-z2-7]{32}/.test(text))).toHaveLength(1);
    expect(answers.filter((text) => text.includes("That form was already sent"))).toHaveLength(1);
    expect(await db.selectFrom("api_key").select("id").where("name", "=", "Deploy bot").execute()).toHaveLength(1);
    // A new render (a new token) creates another, as asked.
    expect((await post("/orgs/acme/api-keys?intent=create", { intent: "create", name: "Deploy bot", formToken: newFormToken() }, w.cookies.owner)).status).toBe(200);
    expect(await db.selectFrom("api_key").select("id").where("name", "=", "Deploy bot").execute()).toHaveLength(2);
  });

  it("creates one org; the repeat is sent to it", async () => {
    const w = await world();
    const formToken = newFormToken();
    const first = await post("/orgs/new", { name: "Twice", slug: "twice", formToken }, w.cookies.member);
    const second = await post("/orgs/new", { name: "Twice", slug: "twice", formToken }, w.cookies.member);
    expect([first.status, second.status]).toEqual([302, 302]);
    expect(second.headers.get("location")).toBe("/orgs/twice");
    expect(await db.selectFrom("org").select("id").where("slug", "=", "twice").execute()).toHaveLength(1);
  });

  it("lets a form whose first POST created nothing (a taken address) be corrected and sent again", async () => {
    const w = await world();
    const formToken = newFormToken();
    expect((await post("/orgs/new", { name: "Acme two", slug: "acme", formToken }, w.cookies.member)).status).toBe(409);
    expect((await post("/orgs/new", { name: "Acme two", slug: "acme-two", formToken }, w.cookies.member)).status).toBe(302);
  });

  it("sends one invitation", async () => {
    const w = await world();
    const formToken = newFormToken();
    const send = () => post("/orgs/acme/invitations?intent=invite", { intent: "invite", email: "new@example.com", role: "member", formToken }, w.cookies.owner);
    expect((await send()).status).toBe(200);
    const repeat = await send();
    expect(repeat.status).toBe(200);
    expect(await pageText(repeat)).toContain("That form was already sent");
    expect(await db.selectFrom("org_invitation").select("id").where("email", "=", "new@example.com").execute()).toHaveLength(1);
  });

  it("refuses a creating POST without its token, creating nothing", async () => {
    const w = await world();
    expect((await post("/orgs/acme/api-keys?intent=create", { intent: "create", name: "No token" }, w.cookies.owner)).status).toBe(400);
    expect((await post("/orgs/new", { name: "No token", slug: "no-token" }, w.cookies.owner)).status).toBe(400);
    expect((await post("/orgs/acme/invitations?intent=invite", { intent: "invite", email: "x@example.com", role: "member" }, w.cookies.owner)).status).toBe(400);
    expect(await db.selectFrom("api_key").select("id").where("name", "=", "No token").execute()).toHaveLength(0);
    expect(await db.selectFrom("org").select("id").where("slug", "=", "no-token").execute()).toHaveLength(0);
    expect(await db.selectFrom("org_invitation").select("id").where("email", "=", "x@example.com").execute()).toHaveLength(0);
  });
});

describe("the signed-in landing", () => {
  it("sends a signed-in person from / to /home, which lists their orgs with role and plan", async () => {
    const w = await world();
    const landing = await get("/", w.cookies.member);
    expect(landing.status).toBe(302);
    expect(landing.headers.get("location")).toBe("/home");
    const home = await pageText(await get("/home", w.cookies.member));
    expect(home).toContain("Welcome, Max");
    expect(home).toContain('href="/orgs/acme"');
    expect(home).toContain(">Enterprise<");
    expect(home).toContain(">Member<");
  });

  it("lists invitations waiting for the signed-in address", async () => {
    const w = await world();
    const guest = await createUser(db, { email: "guest@example.com", name: "Gus Guest" });
    const home = await pageText(await get("/home", await sessionCookieFor(db, guest)));
    expect(home).toContain("Invitations for you");
    expect(home).toContain("Acme");
    expect(home).toContain("From Olivia Owner");
    expect(w.org.slug).toBe("acme");
  });

  it("serves /brand.css with the accent tokens", async () => {
    const response = await get("/brand.css");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/css");
    expect(await response.text()).toMatch(/--accent: #[0-9a-f]{6};/);
  });
});
