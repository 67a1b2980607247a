// SSO through OIDC against the production build, with a real IdP (an
// oidc-provider instance on 127.0.0.1) and one that misbehaves on purpose:
// Test connection, routing by email domain, SP-initiated sign-in with
// just-in-time provisioning, linking an existing account only after it
// proves itself, and each bad answer refused with a clear 4xx page and an
// audit event — never a session, never a 500.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOidcConnection, type SsoConnection } from "../../app/.server/sso/connections";
import { claimSsoDomain } from "../../app/.server/sso/domains";
import { auditEventsOf, createTestOrg, roleOf, type TestOrg } from "../factories/orgs";
import { enrolTotp } from "../factories/mfa";
import { createUser, DEFAULT_PASSWORD, sessionCookieFor, type TestUser } from "../factories/users";
import { OidcIdp, RogueIdp, type Misbehaviour } from "../fakes/oidc-idp";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { freePort, startServer, type ServerProcess } from "../setup/server-process";
import { OidcBrowser } from "./oidc-browser";

process.env.SECRETS_KEY ??= randomBytes(32).toString("base64");
const db = connect(workerDatabaseUrl());
const idp = new OidcIdp();
const rogue = new RogueIdp();
const CLIENT_SECRET = "idp-client-secret-for-tests";
let server: ServerProcess;
let serverUrl = "";
let org: TestOrg;
let owner: TestUser;
let connection: SsoConnection;
const rogueConnections = {} as Record<Misbehaviour, SsoConnection>;

const settings = (issuer: string, clientId: string) => ({ name: "Acme IdP", defaultRole: "member" as const, issuer, discovery: null, clientId, clientSecret: CLIENT_SECRET, scopes: "openid email profile" });

beforeAll(async () => {
  await truncateAll(db);
  const port = await freePort();
  serverUrl = `http://127.0.0.1:${port}`;
  owner = await createUser(db, { email: "owner@acme.test", name: "Olivia Owner" });
  org = await createTestOrg(db, { slug: "acme", name: "Acme", plan: "team", owner });
  await idp.start(async (issuer) => {
    connection = await createOidcConnection(db, org.id, settings(issuer, "gatehouse-acme"));
    return [{ client_id: "gatehouse-acme", client_secret: CLIENT_SECRET, redirect_uris: [`${serverUrl}/sso/oidc/${connection.id}/callback`], grant_types: ["authorization_code"], response_types: ["code"] }];
  });
  await claimSsoDomain(db, { orgId: org.id, domain: "acme.test", connectionId: connection.id, verified: true });
  await claimSsoDomain(db, { orgId: org.id, domain: "pending.test", connectionId: connection.id, verified: false });

  await rogue.start();
  for (const misbehaviour of ["nonce", "aud", "iss"] as const) {
    const made = await createOidcConnection(db, org.id, { ...settings(rogue.issuerFor(misbehaviour), `rogue-${misbehaviour}`), name: `Rogue ${misbehaviour}` });
    // Switched on by hand: these IdPs could never pass a test, which is the point.
    await db.updateTable("sso_connection").set({ enabled: true }).where("id", "=", made.id).execute();
    await claimSsoDomain(db, { orgId: org.id, domain: `${misbehaviour}.test`, connectionId: made.id, verified: true });
    rogueConnections[misbehaviour] = made;
  }
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), SECRETS_KEY: process.env.SECRETS_KEY!, PORT: String(port), PUBLIC_URL: serverUrl });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await idp.stop();
  await rogue.stop();
  await db.destroy();
});

const text = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

/** "Sign in with SSO" with this address, through the IdP, back to our callback and past it; the last answer. */
async function signInWithSso(browser: OidcBrowser, email: string, fields: Record<string, string> = {}) {
  const start = await browser.post("/sso", { email, ...fields });
  if (start.headers.get("location") !== "/sso/continue") return { start, end: start, idpUrl: null };
  const idpUrl = await browser.continueToIdp(start);
  const hop = await browser.follow(idpUrl, `${serverUrl}/sso/`);
  if (hop.kind !== "redirect") throw new Error(`the IdP answered ${hop.status}: ${hop.html.slice(0, 300)}`);
  const end = await browser.request(hop.location.href);
  return { start, end, idpUrl };
}

describe("Test connection", () => {
  it("refuses to switch on an untested connection, runs a real sign-in, records each check, and then switches on", async () => {
    const browser = new OidcBrowser(serverUrl);
    browser.setCookie(await sessionCookieFor(db, owner));
    const early = await browser.post("/orgs/acme/sso?intent=enable", { connectionId: connection.id });
    expect(early.status).toBe(409);
    expect(await text(early)).toContain("Test “Acme IdP” successfully before switching it on.");

    idp.addAccount({ sub: "owner-at-idp", email: "owner@acme.test", email_verified: true, name: "Olivia Owner" });
    idp.signInAs("owner-at-idp", ["pwd", "mfa"]);
    const start = await browser.post("/orgs/acme/sso?intent=test", { connectionId: connection.id });
    const idpUrl = await browser.continueToIdp(start);
    expect(idpUrl).toMatch(new RegExp(`^${idp.issuer}/auth\\?`));
    const back = await browser.follow(idpUrl, `${serverUrl}/orgs/`);
    expect(back.kind).toBe("redirect");
    if (back.kind !== "redirect") return;
    expect(back.location.pathname).toBe("/orgs/acme/sso");

    const row = await db.selectFrom("sso_connection").select(["last_test_result", "enabled"]).where("id", "=", connection.id).executeTakeFirstOrThrow();
    const result = row.last_test_result as { ok: boolean; checks: { name: string; passed: boolean }[]; claims: Record<string, unknown> };
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => check.name)).toEqual(expect.arrayContaining(["State", "Signature", "Issuer", "Audience", "Nonce", "Email domain"]));
    expect(result.checks.every((check) => check.passed)).toBe(true);
    expect(result.claims).toMatchObject({ sub: "owner-at-idp", email: "owner@acme.test", mfa_asserted: true });
    expect(row.enabled).toBe(false);
    // A test signs no one in: the browser still has only the owner's own session.
    expect(await db.selectFrom("session").select("id").where("sso_connection_id", "=", connection.id).execute()).toHaveLength(0);

    const page = await browser.request(back.location.href);
    const html = await text(page);
    expect(html).toContain("“Acme IdP” passed its test");
    expect(html).toContain(`${serverUrl}/sso/oidc/${connection.id}/callback`);
    expect(html).not.toContain(CLIENT_SECRET);

    const on = await browser.post("/orgs/acme/sso?intent=enable", { connectionId: connection.id });
    expect(on.status).toBe(200);
    expect((await db.selectFrom("sso_connection").select("enabled").where("id", "=", connection.id).executeTakeFirstOrThrow()).enabled).toBe(true);
    expect((await auditEventsOf(db, org.id)).map((event) => event.action)).toEqual(expect.arrayContaining(["sso.connection_tested", "sso.connection_enabled"]));
  });
});

describe("routing by email domain at /sso", () => {
  it("sends an address on a verified domain to its IdP, and any other back to the password form, whether or not an account exists", async () => {
    await createUser(db, { email: "someone@other.test" });
    const browser = new OidcBrowser(serverUrl);
    const routed = await browser.continueToIdp(await browser.post("/sso", { email: "Anyone@ACME.test" }));
    expect(routed).toMatch(new RegExp(`^${idp.issuer}/auth\\?`));
    expect(new URL(routed).searchParams.get("login_hint")).toBe("anyone@acme.test");

    const answers = [];
    for (const email of ["someone@other.test", "nobody@other.test", "someone@pending.test"]) {
      const response = await new OidcBrowser(serverUrl).post("/sso", { email });
      answers.push({ status: response.status, location: response.headers.get("location")?.replace(encodeURIComponent(email), "EMAIL") });
    }
    // The same answer for an account that exists and one that does not; an unverified claim routes nowhere.
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(answers[0]).toEqual({ status: 303, location: "/login?email=EMAIL&notice=no-sso" });
  });

  it("answers a malformed address with a 400 that says so", async () => {
    const response = await new OidcBrowser(serverUrl).post("/sso", { email: "not an address" });
    expect(response.status).toBe(400);
  });

  it("refuses a return address on another site before anyone leaves for the IdP", async () => {
    const response = await new OidcBrowser(serverUrl).post("/sso", { email: "anyone@acme.test", redirectTo: "https://evil.test/steal" });
    expect(response.status).toBe(400);
    expect(await text(response)).toContain("That return address is not on this site");
  });
});

describe("SP-initiated sign-in", () => {
  it("creates the account just in time, verified, with the connection's default role, and a session marked with the connection", async () => {
    idp.addAccount({ sub: "new-person", email: "new.person@acme.test", email_verified: true, name: "Nora New" });
    idp.signInAs("new-person");
    const browser = new OidcBrowser(serverUrl);
    const { end } = await signInWithSso(browser, "new.person@acme.test", { redirectTo: "/orgs/acme" });
    expect(end.status).toBe(303);
    expect(end.headers.get("location")).toBe("/orgs/acme");

    const user = await db.selectFrom("user").select(["id", "email_verified_at", "name"]).where("email", "=", "new.person@acme.test").executeTakeFirstOrThrow();
    expect(user.email_verified_at).not.toBeNull();
    expect(user.name).toBe("Nora New");
    expect(await roleOf(db, org.id, user.id)).toBe("member");
    expect(await db.selectFrom("sso_identity").select("subject").where("user_id", "=", user.id).execute()).toEqual([{ subject: "new-person" }]);
    const sessions = await db.selectFrom("session").select(["auth_method", "sso_connection_id"]).where("user_id", "=", user.id).execute();
    expect(sessions).toEqual([{ auth_method: "sso", sso_connection_id: connection.id }]);
    expect((await browser.request("/orgs/acme")).status).toBe(200);
    expect((await auditEventsOf(db, org.id)).map((event) => event.action)).toEqual(expect.arrayContaining(["sso.account_provisioned", "member.joined"]));

    // The second time the identity is known: signed in, nothing created.
    idp.signInAs("new-person");
    const again = await signInWithSso(new OidcBrowser(serverUrl), "new.person@acme.test");
    expect(again.end.status).toBe(303);
    expect(again.end.headers.get("location")).toBe("/home");
    expect(await db.selectFrom("user").select("id").where("email", "=", "new.person@acme.test").execute()).toHaveLength(1);
  });

  it("links an existing account only after it signs in with its own password", async () => {
    const existing = await createUser(db, { email: "linda@acme.test", name: "Linda" });
    idp.addAccount({ sub: "linda-at-idp", email: "linda@acme.test", email_verified: true });
    idp.signInAs("linda-at-idp");
    const browser = new OidcBrowser(serverUrl);
    const { end } = await signInWithSso(browser, "linda@acme.test");
    expect(end.status).toBe(303);
    expect(end.headers.get("location")).toBe("/sso/link");
    // The IdP's word alone opened nothing.
    expect(await db.selectFrom("session").select("id").where("user_id", "=", existing.id).execute()).toHaveLength(0);
    expect(await db.selectFrom("sso_identity").select("subject").where("user_id", "=", existing.id).execute()).toHaveLength(0);

    const page = await browser.request("/sso/link");
    expect(page.status).toBe(200);
    expect(await text(page)).toContain("Log in as linda@acme.test");
    // Linking without the proof: refused.
    const early = await browser.post("/sso/link", { intent: "link" });
    expect(early.status).toBe(403);

    const login = await browser.post("/login", { email: "linda@acme.test", password: DEFAULT_PASSWORD, redirectTo: "/sso/link" });
    expect(login.headers.get("location")).toBe("/sso/link");
    const linked = await browser.post("/sso/link", { intent: "link" });
    expect(linked.status).toBe(302);
    expect(await db.selectFrom("sso_identity").select("subject").where("user_id", "=", existing.id).execute()).toEqual([{ subject: "linda-at-idp" }]);
    expect(await roleOf(db, org.id, existing.id)).toBe("member");
    expect((await auditEventsOf(db, org.id)).map((event) => event.action)).toContain("sso.account_linked");

    idp.signInAs("linda-at-idp");
    const next = await signInWithSso(new OidcBrowser(serverUrl), "linda@acme.test");
    expect(next.end.headers.get("location")).toBe("/home");
  });

  it("links an account with two-factor on only once the second factor is proved too", async () => {
    const existing = await createUser(db, { email: "tara@acme.test", name: "Tara" });
    const totp = await enrolTotp(db, existing, new Date(Date.now() - 90_000));
    idp.addAccount({ sub: "tara-at-idp", email: "tara@acme.test", email_verified: true });
    idp.signInAs("tara-at-idp");
    const browser = new OidcBrowser(serverUrl);
    const { end } = await signInWithSso(browser, "tara@acme.test");
    expect(end.headers.get("location")).toBe("/sso/link");

    // The password alone leaves the browser half signed in: the link is still refused.
    const password = await browser.post("/login", { email: "tara@acme.test", password: DEFAULT_PASSWORD, redirectTo: "/sso/link" });
    expect(password.headers.get("location")).toBe("/login/2fa?redirectTo=%2Fsso%2Flink");
    expect((await browser.post("/sso/link", { intent: "link" })).status).toBe(403);
    expect(await db.selectFrom("sso_identity").select("subject").where("user_id", "=", existing.id).execute()).toHaveLength(0);

    // As the page sends it: the destination in a hidden field.
    const secondFactor = await browser.post("/login/2fa?intent=totp&redirectTo=%2Fsso%2Flink", { intent: "totp", code: totp.codeAt(new Date()), redirectTo: "/sso/link" });
    expect(secondFactor.status).toBe(302);
    expect(secondFactor.headers.get("location")).toBe("/sso/link");
    const linked = await browser.post("/sso/link", { intent: "link" });
    expect(linked.status).toBe(302);
    expect(await db.selectFrom("sso_identity").select("subject").where("user_id", "=", existing.id).execute()).toEqual([{ subject: "tara-at-idp" }]);
    expect(await roleOf(db, org.id, existing.id)).toBe("member");
  });
});

describe("bad answers", () => {
  async function refusalsOf(reason: string) {
    return (await auditEventsOf(db, org.id)).filter((event) => event.action === "sso.sign_in_refused" && (event.metadata as { reason?: string }).reason === reason);
  }

  it("refuses an address outside the org's verified domains", async () => {
    idp.addAccount({ sub: "outsider", email: "outsider@elsewhere.test", email_verified: true });
    idp.signInAs("outsider");
    const { end } = await signInWithSso(new OidcBrowser(serverUrl), "outsider@acme.test");
    expect(end.status).toBe(403);
    expect(await text(end)).toContain("a domain this connection does not cover");
    expect(await db.selectFrom("user").select("id").where("email", "=", "outsider@elsewhere.test").execute()).toHaveLength(0);
    expect(await refusalsOf("email-outside-domains")).toHaveLength(1);
  });

  it.each([
    ["nonce", "its nonce does not match"],
    ["aud", "issued to another application"],
    ["iss", "comes from another issuer"],
  ] as const)("refuses an ID token with a wrong %s", async (misbehaviour, words) => {
    const { idpUrl, end } = await signInWithSso(new OidcBrowser(serverUrl), `victim@${misbehaviour}.test`);
    expect(idpUrl).toContain(rogue.issuerFor(misbehaviour));
    expect(end.status).toBe(400);
    expect(await text(end)).toContain(words);
    expect(await db.selectFrom("user").select("id").where("email", "=", "victim@rogue.test").execute()).toHaveLength(0);
    expect(await db.selectFrom("session").select("id").where("sso_connection_id", "=", rogueConnections[misbehaviour].id).execute()).toHaveLength(0);
    expect(await refusalsOf(`bad-${misbehaviour}`)).toHaveLength(1);
  });

  it("refuses an answer that reaches another browser (no attempt cookie) or comes twice", async () => {
    idp.addAccount({ sub: "twice", email: "twice@acme.test", email_verified: true });
    idp.signInAs("twice");
    const browser = new OidcBrowser(serverUrl);
    const start = await browser.post("/sso", { email: "twice@acme.test" });
    const hop = await browser.follow(await browser.continueToIdp(start), `${serverUrl}/sso/`);
    if (hop.kind !== "redirect") throw new Error("expected the callback");
    const elsewhere = await new OidcBrowser(serverUrl).request(hop.location.href);
    expect(elsewhere.status).toBe(400);
    expect(await text(elsewhere)).toContain("does not belong to a sign-in started in this browser");
    const first = await browser.request(hop.location.href);
    expect(first.status).toBe(303);
    const replay = await browser.request(hop.location.href);
    expect(replay.status).toBe(400);
    expect((await refusalsOf("unknown-attempt")).length).toBeGreaterThanOrEqual(2);
  });
});

describe("the settings page", () => {
  it("keeps the client secret encrypted, creates once per form, and deletes only when confirmed", async () => {
    const browser = new OidcBrowser(serverUrl);
    browser.setCookie(await sessionCookieFor(db, owner));
    const { newFormToken } = await import("../../app/.server/form-guards/one-time-form");
    const formToken = newFormToken();
    const fields = { name: "Second IdP", defaultRole: "admin", issuer: idp.issuer, discovery: "", clientId: "second", clientSecret: "second-secret-value", scopes: "openid email", formToken };
    expect((await browser.post("/orgs/acme/sso?intent=create-oidc", fields)).status).toBe(200);
    expect((await browser.post("/orgs/acme/sso?intent=create-oidc", fields)).status).toBe(200);
    const made = await db.selectFrom("sso_connection").selectAll().where("name", "=", "Second IdP").execute();
    expect(made).toHaveLength(1);
    expect(made[0]!.oidc_client_secret_ciphertext).not.toContain("second-secret-value");
    expect(made[0]!.default_role).toBe("admin");
    expect(await text(await browser.request("/orgs/acme/sso"))).not.toContain("second-secret-value");

    const { formToken: _dropped, ...withoutToken } = fields;
    const noToken = await browser.post("/orgs/acme/sso?intent=create-oidc", withoutToken);
    expect(noToken.status).toBe(400);
    const badIssuer = await browser.post("/orgs/acme/sso?intent=create-oidc", { ...fields, issuer: "ftp://nope", formToken: newFormToken() });
    expect(badIssuer.status).toBe(400);
    expect(await text(badIssuer)).toContain("The issuer must be an https:// URL");

    expect((await browser.post("/orgs/acme/sso?intent=delete", { connectionId: made[0]!.id })).status).toBe(400);
    expect(await db.selectFrom("sso_connection").select("id").where("id", "=", made[0]!.id).execute()).toHaveLength(1);
    expect((await browser.post("/orgs/acme/sso?intent=delete", { connectionId: made[0]!.id, confirm: "yes" })).status).toBe(200);
    expect(await db.selectFrom("sso_connection").select("id").where("id", "=", made[0]!.id).execute()).toHaveLength(0);
  });

  it("is for admins, and for Team and Enterprise orgs", async () => {
    const member = await createUser(db, { email: "member@acme.test" });
    await db.insertInto("membership").values({ org_id: org.id, user_id: member.id, role: "member" }).execute();
    const memberBrowser = new OidcBrowser(serverUrl);
    memberBrowser.setCookie(await sessionCookieFor(db, member));
    expect((await memberBrowser.request("/orgs/acme/sso")).status).toBe(403);

    const soloOwner = await createUser(db, { email: "solo@solo.test" });
    await createTestOrg(db, { slug: "solo-co", name: "Solo Co", plan: "solo", owner: soloOwner });
    const solo = new OidcBrowser(serverUrl);
    solo.setCookie(await sessionCookieFor(db, soloOwner));
    const page = await solo.request("/orgs/solo-co/sso");
    expect(page.status).toBe(200);
    expect(await text(page)).toContain("Single sign-on comes with the Team plan");
    expect((await solo.post("/orgs/solo-co/sso?intent=claim-domain", { domain: "solo.test" })).status).toBe(403);
  });
});
