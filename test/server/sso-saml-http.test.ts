// SAML sign-in through our routes against the production build, with a real
// SAML IdP (samlify's IdP side, test/fakes/saml-idp.ts) on 127.0.0.1:
// Test connection, SP-initiated sign-in (the IdP's cross-site POST, then the
// same-site GET that finishes it in the browser that started), IdP-initiated
// sign-in with RelayState kept to our own paths, and refusals as 4xx pages.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSamlConnection, type SsoConnection } from "../../app/.server/sso/connections";
import { claimSsoDomain } from "../../app/.server/sso/domains";
import { auditEventsOf, createTestOrg, roleOf, type TestOrg } from "../factories/orgs";
import { createUser, sessionCookieFor, type TestUser } from "../factories/users";
import { AUTHN_CONTEXT, FakeSamlIdp, NAMEID, postedForm } from "../fakes/saml-idp";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { freePort, startServer, type ServerProcess } from "../setup/server-process";
import { OidcBrowser } from "./oidc-browser";

process.env.SECRETS_KEY ??= randomBytes(32).toString("base64");
const db = connect(workerDatabaseUrl());
const idp = new FakeSamlIdp();
let server: ServerProcess;
let serverUrl = "";
let org: TestOrg;
let owner: TestUser;
let connection: SsoConnection;
let spMetadata = "";

beforeAll(async () => {
  await truncateAll(db);
  await idp.start();
  const port = await freePort();
  serverUrl = `http://127.0.0.1:${port}`;
  owner = await createUser(db, { email: "owner@saml.test", name: "Olivia Owner" });
  org = await createTestOrg(db, { slug: "samlco", name: "SAML Co", plan: "team", owner });
  connection = await createSamlConnection(db, org.id, {
    name: "Corporate SAML",
    defaultRole: "member",
    entityId: idp.entityId,
    ssoUrl: idp.ssoUrl,
    certificate: idp.certificate,
    metadataXml: null,
    certificateExpiresAt: null,
  });
  await claimSsoDomain(db, { orgId: org.id, domain: "saml.test", connectionId: connection.id, verified: true });
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), SECRETS_KEY: process.env.SECRETS_KEY!, PORT: String(port), PUBLIC_URL: serverUrl });
  spMetadata = await (await fetch(`${serverUrl}/sso/saml/${connection.id}/metadata`)).text();
  idp.trust(spMetadata);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await idp.stop();
  await db.destroy();
});

const text = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");
const person = (email: string, mfa = false) => ({ nameId: email, nameIdFormat: NAMEID.email, attributes: { displayName: "Sam L" }, authnContextClassRef: mfa ? AUTHN_CONTEXT.multiFactor : AUTHN_CONTEXT.password });

/** The IdP's auto-posting form, sent the way a browser sends it: a cross-site POST to our ACS. */
function postToAcs(browser: OidcBrowser, action: string, fields: Record<string, string>) {
  return browser.request(action, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site", Origin: idp.url },
    body: new URLSearchParams(fields),
  });
}

/** From a 303 to the IdP, through its form, to our ACS; the ACS's answer. */
async function throughIdp(browser: OidcBrowser, start: Response) {
  const idpUrl = await browser.continueToIdp(start);
  expect(idpUrl).toMatch(new RegExp(`^${idp.ssoUrl}\\?SAMLRequest=`));
  const page = await browser.request(idpUrl);
  const form = postedForm(await page.text());
  return postToAcs(browser, form.action, { SAMLResponse: form.SAMLResponse, ...(form.RelayState ? { RelayState: form.RelayState } : {}) });
}

describe("SAML through our routes", () => {
  it("tests the connection with a real sign-in, then switches it on", async () => {
    const browser = new OidcBrowser(serverUrl);
    browser.setCookie(await sessionCookieFor(db, owner));
    idp.signedInPerson = person("owner@saml.test", true);
    const posted = await throughIdp(browser, await browser.post("/orgs/samlco/sso?intent=test", { connectionId: connection.id }));
    // The cross-site POST carries no cookie: it parks the answer and sends the browser on, same-site.
    expect(posted.status).toBe(303);
    expect(posted.headers.get("location")).toBe(`/sso/saml/${connection.id}/acs`);
    const finished = await browser.request(posted.headers.get("location")!);
    expect(finished.status).toBe(303);
    expect(finished.headers.get("location")).toBe(`/orgs/samlco/sso?tested=${connection.id}`);
    const row = await db.selectFrom("sso_connection").select("last_test_result").where("id", "=", connection.id).executeTakeFirstOrThrow();
    const result = row.last_test_result as { ok: boolean; checks: { name: string; passed: boolean }[]; claims: Record<string, unknown> };
    expect(result.ok).toBe(true);
    expect(result.checks.map((check) => check.name)).toEqual(expect.arrayContaining(["Assertion signed", "Audience", "Recipient", "Email domain"]));
    expect(result.claims).toMatchObject({ mfa_asserted: true });
    const on = await browser.post("/orgs/samlco/sso?intent=enable", { connectionId: connection.id });
    expect(on.status).toBe(200);
  });

  it("signs in SP-initiated, creating the account just in time, and only in the browser that started", async () => {
    idp.signedInPerson = person("sam@saml.test");
    const browser = new OidcBrowser(serverUrl);
    const posted = await throughIdp(browser, await browser.post("/sso", { email: "sam@saml.test", redirectTo: "/orgs/samlco" }));
    expect(posted.status).toBe(303);
    // Another browser following the same redirect gets nothing.
    const elsewhere = await new OidcBrowser(serverUrl).request(posted.headers.get("location")!);
    expect(elsewhere.status).toBe(400);
    const finished = await browser.request(posted.headers.get("location")!);
    expect(finished.status).toBe(303);
    expect(finished.headers.get("location")).toBe("/orgs/samlco");
    const user = await db.selectFrom("user").select(["id", "email_verified_at"]).where("email", "=", "sam@saml.test").executeTakeFirstOrThrow();
    expect(user.email_verified_at).not.toBeNull();
    expect(await roleOf(db, org.id, user.id)).toBe("member");
    expect(await db.selectFrom("session").select(["auth_method", "sso_connection_id"]).where("user_id", "=", user.id).execute()).toEqual([{ auth_method: "sso", sso_connection_id: connection.id }]);
    expect((await browser.request("/orgs/samlco")).status).toBe(200);
  });

  it("signs in IdP-initiated, to the RelayState when it is a path of ours", async () => {
    const samlResponse = await idp.answer({ spMetadata, person: person("ida@saml.test"), inResponseTo: null });
    const browser = new OidcBrowser(serverUrl);
    const answer = await postToAcs(browser, `${serverUrl}/sso/saml/${connection.id}/acs`, { SAMLResponse: samlResponse, RelayState: "/orgs/samlco/members" });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/orgs/samlco/members");
    expect((await browser.request("/orgs/samlco/members")).status).toBe(200);
  });

  it("refuses a RelayState to another site, and a replayed assertion, with a 400 page and an audit event", async () => {
    const evil = await idp.answer({ spMetadata, person: person("eve@saml.test"), inResponseTo: null });
    const refused = await postToAcs(new OidcBrowser(serverUrl), `${serverUrl}/sso/saml/${connection.id}/acs`, { SAMLResponse: evil, RelayState: "https://evil.test/phish" });
    expect(refused.status).toBe(400);
    expect(await db.selectFrom("user").select("id").where("email", "=", "eve@saml.test").execute()).toHaveLength(0);

    const once = await idp.answer({ spMetadata, person: person("rita@saml.test"), inResponseTo: null });
    expect((await postToAcs(new OidcBrowser(serverUrl), `${serverUrl}/sso/saml/${connection.id}/acs`, { SAMLResponse: once })).status).toBe(303);
    const replay = await postToAcs(new OidcBrowser(serverUrl), `${serverUrl}/sso/saml/${connection.id}/acs`, { SAMLResponse: once });
    expect(replay.status).toBe(400);
    expect(await text(replay)).toContain("Single sign-on did not work");
    const reasons = (await auditEventsOf(db, org.id)).filter((event) => event.action === "sso.sign_in_refused").map((event) => (event.metadata as { reason: string }).reason);
    expect(reasons).toEqual(expect.arrayContaining(["unsafe-relay-state", "replayed"]));
  });

  it("refuses an address outside the org's verified domains", async () => {
    const outsider = await idp.answer({ spMetadata, person: person("someone@elsewhere.test"), inResponseTo: null });
    const refused = await postToAcs(new OidcBrowser(serverUrl), `${serverUrl}/sso/saml/${connection.id}/acs`, { SAMLResponse: outsider });
    expect(refused.status).toBe(403);
    expect(await text(refused)).toContain("a domain this connection does not cover");
  });
});
