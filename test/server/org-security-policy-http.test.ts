// Org security policies over HTTP, against the production build: each way in
// obeys them — password sign-in, /login/2fa, the org's pages, the OIDC
// provider (authorization, device approval, refresh), invitations (creation
// and acceptance), API keys (creation and /api/v1) — and the page that sets
// them is for admins, asks for a recent sign-in, lists who does not comply,
// and emails them when a rule is switched on.
import { randomBytes } from "node:crypto";
import * as oidc from "openid-client";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApp } from "../../app/.server/identity/apps";
import { createApiKey } from "../../app/.server/orgs/api-keys";
import { newFormToken } from "../../app/.server/form-guards/one-time-form";
import { AppInputSchema } from "../../app/utils/oauth-app-schema";
import { enrolTotp } from "../factories/mfa";
import { addSoftPasskey } from "../factories/soft-passkey";
import { actorOf, auditEventsOf, createTestOrg, membershipsOf, type TestOrg } from "../factories/orgs";
import { createUser, queuedEmails, sessionCookieFor, type TestUser } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { pageRequests } from "../setup/http-client";
import { freePort, startServer, type ServerProcess } from "../setup/server-process";
import { OidcBrowser } from "./oidc-browser";

process.env.SECRETS_KEY ??= randomBytes(32).toString("base64");

const db = connect(workerDatabaseUrl());
const REDIRECT_URI = "http://127.0.0.1:8765/callback";
let server: ServerProcess;
const { get, post } = pageRequests(() => server);

beforeAll(async () => {
  await truncateAll(db);
  const port = await freePort();
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), SECRETS_KEY: process.env.SECRETS_KEY!, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

const cookieOf = (response: Response) => response.headers.getSetCookie()[0]!.split(";", 1)[0]!;
const text = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

let owner: TestUser, otherOwner: TestUser, admin: TestUser, member: TestUser, org: TestOrg, connectionId: string;

beforeEach(async () => {
  await truncateAll(db);
  owner = await createUser(db, { email: "olivia@acme.test", name: "Olivia Owner" });
  otherOwner = await createUser(db, { email: "oscar@acme.test" });
  admin = await createUser(db, { email: "ada@acme.test" });
  member = await createUser(db, { email: "max@acme.test" });
  org = await createTestOrg(db, { slug: "acme", owner, members: [{ user: otherOwner, role: "owner" }, { user: admin, role: "admin" }, { user: member, role: "member" }] });
  const connection = await db.insertInto("sso_connection").values({ org_id: org.id, kind: "oidc", name: "Acme IdP", enabled: true }).returning("id").executeTakeFirstOrThrow();
  connectionId = connection.id;
  await db.insertInto("sso_domain").values({ org_id: org.id, connection_id: connectionId, domain: "acme.test", verification_token: "t", verified_at: new Date() }).execute();
});

async function setPolicy(values: Record<string, unknown>) {
  await db.insertInto("org_security_policy").values({ org_id: org.id, ...values }).onConflict((oc) => oc.column("org_id").doUpdateSet(values)).execute();
}
const enforceTwoFactor = () => setPolicy({ require_two_factor: true, two_factor_enforced_from: new Date(Date.now() - 1000) });
const enforceSso = () => setPolicy({ require_sso: true, sso_enforced_from: new Date(Date.now() - 1000) });

async function ssoSessionCookie(user: TestUser, connection: string, mfa = false) {
  const cookie = await sessionCookieFor(db, user);
  const id = cookie.split("=")[1]!.split(".")[0]!;
  await db.updateTable("session").set({ sso_connection_id: connection, sso_mfa_asserted: mfa }).where("id", "=", id).execute();
  return cookie;
}

/** /login with the password, then /login/2fa with the authenticator code. */
async function signInWithTotp(user: TestUser) {
  const totp = await enrolTotp(db, user, new Date(Date.now() - 90_000));
  const first = await post("/login", { email: user.email, password: user.password });
  expect(first.headers.get("location")).toBe("/login/2fa");
  return post("/login/2fa?intent=totp", { intent: "totp", code: totp.codeAt(new Date()) }, cookieOf(first));
}

describe("/orgs/:slug/security", () => {
  it("is for admins and owners, and in their org navigation", async () => {
    const page = await get("/orgs/acme/security", await sessionCookieFor(db, admin));
    expect(page.status).toBe(200);
    const html = await text(page);
    expect(html).toContain('href="/orgs/acme/security"');
    expect(html).toContain("Require two-factor authentication");
    const refused = await get("/orgs/acme/security", await sessionCookieFor(db, member));
    expect(refused.status).toBe(403);
    expect(await text(refused)).toContain("Only admins can manage the organization&#x27;s security rules");
  });

  it("lists the members who do not comply before a rule is switched on", async () => {
    await enrolTotp(db, admin);
    const html = await text(await get("/orgs/acme/security", await sessionCookieFor(db, admin)));
    expect(html).toContain("Members who do not comply yet (3)");
    expect(html).toContain("max@acme.test");
    expect(html).not.toContain("ada@acme.test</td>");
  });

  it("switches require-two-factor on only with the review ticked, then audits it and emails who does not comply", async () => {
    await enrolTotp(db, admin);
    // The admin's own session proved the second factor, or the rule would lock them out.
    const cookie = await sessionCookieFor(db, admin);
    await db.updateTable("session").set({ auth_method: "password+totp" }).where("user_id", "=", admin.id).execute();
    const bare = await post("/orgs/acme/security?intent=two-factor", { intent: "two-factor", require: "yes", ssoMfa: "idp-mfa", graceDays: "7" }, cookie);
    expect(bare.status).toBe(400);
    expect(await db.selectFrom("org_security_policy").selectAll().execute()).toEqual([]);

    const saved = await post("/orgs/acme/security?intent=two-factor", { intent: "two-factor", require: "yes", ssoMfa: "idp-mfa", graceDays: "7", confirm: "yes" }, cookie);
    expect(saved.status).toBe(200);
    expect(await text(saved)).toContain("3 members were emailed");
    const policy = await db.selectFrom("org_security_policy").selectAll().executeTakeFirstOrThrow();
    expect(policy.require_two_factor).toBe(true);
    expect(policy.two_factor_enforced_from!.getTime() - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect((await auditEventsOf(db, org.id)).map((e) => e.action)).toContain("security_policy.two_factor_required");
    expect((await queuedEmails(db, member.email)).map((e) => e.template)).toEqual(["security-policy-grace"]);

    // During the grace period the member is warned on the org's pages, and can still use them.
    const orgPage = await get("/orgs/acme", await sessionCookieFor(db, member));
    expect(orgPage.status).toBe(200);
    expect(await text(orgPage)).toContain("Acme requires two-factor authentication from");
  });

  it("refuses to switch on a rule the admin's own session does not meet", async () => {
    const answer = await post("/orgs/acme/security?intent=two-factor", { intent: "two-factor", require: "yes", ssoMfa: "idp-mfa", graceDays: "0", confirm: "yes" }, await sessionCookieFor(db, admin));
    expect(answer.status).toBe(409);
    expect(await text(answer)).toContain("Your own session would not meet this rule");
    expect(await db.selectFrom("org_security_policy").selectAll().execute()).toEqual([]);
  });

  it("asks for a recent sign-in before any change", async () => {
    const cookie = await sessionCookieFor(db, admin);
    await db.updateTable("session").set({ authenticated_at: new Date(Date.now() - 3_600_000) }).where("user_id", "=", admin.id).execute();
    const answer = await post("/orgs/acme/security?intent=sessions", { intent: "sessions", maxHours: "8", idleMinutes: "30" }, cookie);
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toMatch(/^\/reauthenticate/);
    expect(await db.selectFrom("org_security_policy").selectAll().execute()).toEqual([]);
  });

  it("answers bad input with the field's message and a 400, changing nothing", async () => {
    const cookie = await sessionCookieFor(db, admin);
    const cases: Array<[string, Record<string, string>, string]> = [
      ["sessions", { intent: "sessions", maxHours: "8", idleMinutes: "2" }, "Idle timeout must be between 5 and 43200"],
      ["sessions", { intent: "sessions", maxHours: "eight", idleMinutes: "" }, "Maximum session lifetime must be a whole number"],
      ["invite-domains", { intent: "invite-domains", domains: "acme.test, not a domain!" }, "is not a domain name"],
      ["api-keys", { intent: "api-keys", maxDays: "0" }, "Maximum key lifetime must be between 1 and 3650"],
      ["two-factor", { intent: "two-factor", ssoMfa: "whatever", graceDays: "7" }, "Choose how SSO sign-ins count"],
      ["sso", { intent: "sso", require: "yes", graceDays: "5" }, "Choose a grace period"],
    ];
    for (const [intent, fields, message] of cases) {
      const answer = await post(`/orgs/acme/security?intent=${intent}`, fields, cookie);
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(await text(answer)).toContain(message);
    }
    expect(await db.selectFrom("org_security_policy").selectAll().execute()).toEqual([]);
  });

  it("applies tightened session limits to the members' running sessions, and audits the change", async () => {
    const memberCookie = await sessionCookieFor(db, member);
    const answer = await post("/orgs/acme/security?intent=sessions", { intent: "sessions", maxHours: "8", idleMinutes: "30" }, await sessionCookieFor(db, admin));
    expect(answer.status).toBe(200);
    const session = await db.selectFrom("session").selectAll().where("user_id", "=", member.id).executeTakeFirstOrThrow();
    expect(session.idle_timeout_seconds).toBe(1800);
    expect(session.absolute_expires_at.getTime() - session.created_at.getTime()).toBe(8 * 3_600_000);
    expect((await get("/orgs/acme", memberCookie)).status).toBe(200);
    expect((await auditEventsOf(db, org.id)).map((e) => e.action)).toContain("security_policy.session_limits_changed");
  });
});

describe("require two-factor, enforced", () => {
  beforeEach(enforceTwoFactor);

  it("sends a member without a second factor to turn it on first, and keeps the org closed to them", async () => {
    const signIn = await post("/login", { email: member.email, password: member.password });
    expect(signIn.status).toBe(302);
    expect(signIn.headers.get("location")).toBe("/settings/security?required=two-factor");
    const cookie = cookieOf(signIn);
    const security = await text(await get("/settings/security?required=two-factor", cookie));
    expect(security).toContain("Acme requires two-factor authentication");
    // Skipping the enrolment: every org page and action stays refused, with the reason.
    for (const path of ["/orgs/acme", "/orgs/acme/members", "/orgs/acme/settings"]) {
      const page = await get(path, cookie);
      expect(page.status, path).toBe(403);
      expect(await text(page)).toContain("Acme requires two-factor authentication");
    }
    expect((await post("/orgs/acme/settings", { intent: "leave", confirm: "yes" }, cookie)).status).toBe(403);
    expect(await membershipsOf(db, org.id)).toContainEqual([member.email, "member"]);
  });

  it("opens the org to a sign-in that proved the second factor at /login/2fa", async () => {
    const answer = await signInWithTotp(member);
    expect(answer.status).toBe(302);
    expect((await get("/orgs/acme", cookieOf(answer))).status).toBe(200);
  });

  it("refuses an SSO session without IdP-asserted MFA and accepts one with it", async () => {
    expect((await get("/orgs/acme", await ssoSessionCookie(member, connectionId, false))).status).toBe(403);
    expect((await get("/orgs/acme", await ssoSessionCookie(member, connectionId, true))).status).toBe(200);
  });

  it("does not let a member turn two-factor off while the org requires it", async () => {
    await signInWithTotp(member);
    const cookie = await sessionCookieFor(db, member);
    const answer = await post("/settings/security?intent=turn-off", { intent: "turn-off", confirm: "on" }, cookie);
    expect(answer.status).toBe(409);
    expect(await text(answer)).toContain("Acme requires two-factor authentication");
    // Nor remove the only factor left.
    const removal = await post("/settings/security?intent=totp-remove", { intent: "totp-remove", confirm: "yes" }, cookie);
    expect(removal.status).toBe(409);
    expect(await db.selectFrom("totp_factor").select("user_id").where("user_id", "=", member.id).execute()).toHaveLength(1);
  });
});

describe("require SSO, enforced", () => {
  beforeEach(enforceSso);

  it("refuses a member's password sign-in, with the reason and no session", async () => {
    const answer = await post("/login", { email: member.email, password: member.password });
    expect(answer.status).toBe(403);
    expect(answer.headers.getSetCookie()).toEqual([]);
    expect(await text(answer)).toContain("Acme requires you to sign in with its single sign-on");
  });

  it("refuses a non-owner's password + second factor (break-glass is for owners only)", async () => {
    const answer = await signInWithTotp(admin);
    expect(answer.status).toBe(403);
    expect(await text(answer)).toContain("single sign-on");
    expect(await db.selectFrom("session").select("id").where("user_id", "=", admin.id).execute()).toEqual([]);
  });

  it("lets an owner break glass with password + second factor: audited, and the other owners emailed", async () => {
    const answer = await signInWithTotp(owner);
    expect(answer.status).toBe(302);
    const events = await auditEventsOf(db, org.id);
    expect(events.find((e) => e.action === "security_policy.break_glass_used")).toMatchObject({ actor_label: owner.email });
    expect((await queuedEmails(db, otherOwner.email)).map((e) => e.template)).toContain("break-glass-used");
    expect((await queuedEmails(db, admin.email)).map((e) => e.template)).not.toContain("break-glass-used");
    expect((await get("/orgs/acme", cookieOf(answer))).status).toBe(200);
  });

  it("keeps the org closed to a password session made before, and to a session from another org's SSO", async () => {
    expect((await get("/orgs/acme", await sessionCookieFor(db, member))).status).toBe(403);
    const other = await createTestOrg(db, { slug: "other", owner: await createUser(db, { email: "boss@other.test" }) });
    const otherConnection = await db.insertInto("sso_connection").values({ org_id: other.id, kind: "oidc", name: "Other IdP", enabled: true }).returning("id").executeTakeFirstOrThrow();
    expect((await get("/orgs/acme", await ssoSessionCookie(member, otherConnection.id, true))).status).toBe(403);
    expect((await get("/orgs/acme", await ssoSessionCookie(member, connectionId))).status).toBe(200);
  });
});

describe("passkey sign-in (/login/passkey)", () => {
  async function passkeySignIn(user: TestUser) {
    const passkey = await addSoftPasskey(db, user.id);
    const options = (await (await post("/passkeys/options", { purpose: "sign-in" })).json()) as { options: { challenge: string; rpId: string } };
    return post("/login/passkey", { credential: passkey.assert({ challenge: options.options.challenge, rpId: options.options.rpId, origin: server.url }) });
  }

  it("signs in with the passkey alone while no rule is against it", async () => {
    const answer = await passkeySignIn(member);
    expect(answer.status).toBe(302);
    expect((await get("/orgs/acme", cookieOf(answer))).status).toBe(200);
  });

  it("is refused where the org requires SSO, even for an owner (break-glass is password + second factor)", async () => {
    await enforceSso();
    for (const user of [member, owner]) {
      const answer = await passkeySignIn(user);
      expect(answer.status, user.email).toBe(403);
      expect(((await answer.json()) as { formError: string }).formError).toContain("Acme requires you to sign in with its single sign-on");
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
  });

  it("counts as two-factor where the org requires it", async () => {
    await enforceTwoFactor();
    const answer = await passkeySignIn(member);
    expect(answer.status).toBe(302);
    expect((await get("/orgs/acme", cookieOf(answer))).status).toBe(200);
  });
});

describe("the identity provider's grants", () => {
  async function rpFor(grants: string[]) {
    const parsed = AppInputSchema.parse({ name: `app-${randomBytes(3).toString("hex")}`, type: grants.includes("device_code") ? "native" : "web", redirectUris: grants.includes("device_code") ? [] : [REDIRECT_URI], grants });
    const app = await createApp(db, parsed);
    const auth = app.clientSecret ? oidc.ClientSecretBasic(app.clientSecret) : oidc.None();
    return oidc.discovery(new URL(server.url), app.clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
  }

  async function authorize(config: oidc.Configuration, cookie: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: "openid email orgs offline_access", code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256", state, prompt: "consent" });
    const browser = new OidcBrowser(server.url);
    browser.setCookie(cookie);
    const first = await browser.follow(url.href, REDIRECT_URI);
    return { browser, first, verifier, state };
  }

  it("gives no authorization to a session that does not meet the org's two-factor rule", async () => {
    await enforceTwoFactor();
    const config = await rpFor(["authorization_code", "refresh_token"]);
    const { first } = await authorize(config, await sessionCookieFor(db, member));
    expect(first.kind).not.toBe("redirect");
    if (first.kind === "redirect") return;
    expect(first.status).toBe(403);
    expect(first.html).toContain("Acme requires two-factor authentication");
  });

  it("refuses a refresh token once the org requires a second factor the person does not have", async () => {
    const config = await rpFor(["authorization_code", "refresh_token"]);
    const { browser, first, verifier, state } = await authorize(config, await sessionCookieFor(db, member));
    if (first.kind === "redirect") throw new Error("expected the consent page");
    const allow = await browser.post(first.url.pathname, { decision: "allow" });
    const done = await browser.follow(allow.headers.get("location")!, REDIRECT_URI);
    if (done.kind !== "redirect") throw new Error(`no redirect: ${done.status}`);
    const tokens = await oidc.authorizationCodeGrant(config, done.location, { pkceCodeVerifier: verifier, expectedState: state });
    expect(tokens.refresh_token).toBeTruthy();
    await enforceTwoFactor();
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("refuses a device approval from a session that does not meet the org's SSO rule", async () => {
    await enforceSso();
    const config = await rpFor(["device_code", "refresh_token"]);
    const started = await oidc.initiateDeviceAuthorization(config, { scope: "openid email orgs" });
    const answer = await post("/device", { intent: "allow", user_code: started.user_code }, await sessionCookieFor(db, member));
    expect(answer.status).toBe(403);
    expect(await text(answer)).toContain("single sign-on");
  });
});

describe("allowed invitation domains", () => {
  beforeEach(() => setPolicy({ invite_domains: ["acme.test"] }));

  it("refuses an invitation to an address outside them, and sends nothing", async () => {
    const answer = await post("/orgs/acme/invitations?intent=invite", { intent: "invite", email: "eve@elsewhere.test", role: "member", formToken: newFormToken() }, await sessionCookieFor(db, admin));
    expect(answer.status).toBe(403);
    expect(await text(answer)).toContain("only takes members with an address at acme.test");
    expect(await db.selectFrom("org_invitation").select("id").execute()).toEqual([]);
    expect(await queuedEmails(db, "eve@elsewhere.test")).toEqual([]);
    const allowed = await post("/orgs/acme/invitations?intent=invite", { intent: "invite", email: "new@acme.test", role: "member", formToken: newFormToken() }, await sessionCookieFor(db, admin));
    expect(allowed.status).toBe(200);
  });

  it("refuses acceptance of an invitation sent before the domains narrowed", async () => {
    await setPolicy({ invite_domains: [] });
    await post("/orgs/acme/invitations?intent=invite", { intent: "invite", email: "eve@elsewhere.test", role: "member", formToken: newFormToken() }, await sessionCookieFor(db, admin));
    const email = (await queuedEmails(db, "eve@elsewhere.test"))[0]!;
    const token = /\/invite\/([a-z0-9]+)/.exec(email.text_body ?? "")![1]!;
    await setPolicy({ invite_domains: ["acme.test"] });
    const eve = await createUser(db, { email: "eve@elsewhere.test" });
    const answer = await post(`/invite/${token}?intent=accept`, { intent: "accept" }, await sessionCookieFor(db, eve));
    expect(answer.status).toBe(403);
    expect(await text(answer)).toContain("acme.test");
    expect((await membershipsOf(db, org.id)).map(([email]) => email)).not.toContain(eve.email);
  });
});

describe("API key lifetime", () => {
  it("gives new keys an expiry, and /api/v1 refuses a key once it has passed", async () => {
    await setPolicy({ api_key_max_days: 30 });
    const created = await createApiKey(db, { orgId: org.id, name: "CI", actor: actorOf(admin), ip: null });
    const row = await db.selectFrom("api_key").select("expires_at").where("id", "=", created.id).executeTakeFirstOrThrow();
    expect(Math.round((row.expires_at!.getTime() - Date.now()) / 86_400_000)).toBe(30);
    const call = () => fetch(`${server.url}/api/v1/org`, { headers: { Authorization: `Bearer ${created.key}` } });
    expect((await call()).status).toBe(200);
    // Time passes: the key's end is now behind us.
    await db.updateTable("api_key").set({ expires_at: new Date(Date.now() - 1000) }).where("id", "=", created.id).execute();
    expect((await call()).status).toBe(401);
  });

  it("caps the keys that already exist, but gives them at least a week", async () => {
    const created = await createApiKey(db, { orgId: org.id, name: "Old", actor: actorOf(admin), ip: null });
    const answer = await post("/orgs/acme/security?intent=api-keys", { intent: "api-keys", maxDays: "1" }, await sessionCookieFor(db, admin));
    expect(answer.status).toBe(200);
    const row = await db.selectFrom("api_key").select("expires_at").where("id", "=", created.id).executeTakeFirstOrThrow();
    expect(Math.round((row.expires_at!.getTime() - Date.now()) / 86_400_000)).toBe(7);
  });
});
