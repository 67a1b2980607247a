// Gatehouse as an OpenID Connect provider, driven by openid-client (the
// relying-party library a vendor's app would use) against the production
// build: authorization code + PKCE, ID tokens checked against the JWKS,
// refresh rotation and reuse detection, the device flow through our /device
// page, revocation, introspection, client credentials, and the bad requests
// each RFC says to refuse.
import { randomBytes } from "node:crypto";
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processDeferredAccountWork } from "../../app/.server/accounts/deferred-work-worker";
import { scheduleDeletion } from "../../app/.server/accounts/deletion";
import { createApp } from "../../app/.server/identity/apps";
import { AppInputSchema, type AppInput } from "../../app/utils/oauth-app-schema";
import { addMember, createTestOrg } from "../factories/orgs";
import { createUser, DEFAULT_PASSWORD, latestLinkToken, sessionCookieFor, type TestUser } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { freePort, startServer, type ServerProcess } from "../setup/server-process";
import { OidcBrowser, startSignIn as startAppSignIn, type StartedSignIn } from "./oidc-browser";

const db = connect(workerDatabaseUrl());
// The run's key (vitest.config.ts): the signing keys this file seals stay readable by the next file's server.
const SECRETS_KEY = process.env.SECRETS_KEY ?? randomBytes(32).toString("base64");
const REDIRECT_URI = "http://127.0.0.1:8765/callback";
const API = "https://api.vendor.test";
let server: ServerProcess;

beforeAll(async () => {
  await truncateAll(db);
  // The relying party talks to 127.0.0.1, so that is the issuer (PUBLIC_URL).
  const port = await freePort();
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), SECRETS_KEY, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

const unique = (label: string) => `${label}-${randomBytes(4).toString("hex")}`;
const newUser = (label: string) => createUser(db, { email: `${unique(label)}@oidc.test`, name: `Person ${label}` });

async function registerApp(input: Partial<AppInput> & { type: AppInput["type"] }) {
  const parsed = AppInputSchema.parse({ name: unique("app"), redirectUris: input.type === "service" ? [] : [REDIRECT_URI], grants: ["authorization_code", "refresh_token"], ...input });
  return createApp(db, parsed);
}

/** openid-client's view of the provider, for one app. */
async function rpFor(app: { clientId: string; clientSecret: string | null }) {
  const auth = app.clientSecret ? oidc.ClientSecretBasic(app.clientSecret) : oidc.None();
  const config = await oidc.discovery(new URL(server.url), app.clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
  // Verify every JWT the provider hands back against its JWKS, even over TLS.
  oidc.enableNonRepudiationChecks(config);
  return config;
}

async function signedInBrowser(user: TestUser) {
  const browser = new OidcBrowser(server.url);
  browser.setCookie(await sessionCookieFor(db, user));
  return browser;
}

type Started = StartedSignIn;
const startSignIn = (config: oidc.Configuration, extra: Record<string, string> = {}) => startAppSignIn(config, REDIRECT_URI, extra);

/** Through our pages to the consent screen; Allow or Deny there; returns the redirect back to the app. */
async function consent(browser: OidcBrowser, started: Started, decision: "allow" | "deny" | "none") {
  const first = await browser.follow(started.url.href, REDIRECT_URI);
  if (first.kind === "redirect") return { callback: first.location, consentPage: null };
  expect(first.status, first.html.slice(0, 400)).toBe(200);
  expect(first.url.pathname).toMatch(/^\/interaction\//);
  if (decision === "none") return { callback: null, consentPage: first.html };
  const answer = await browser.post(first.url.pathname, { decision });
  expect(answer.status).toBe(303);
  const done = await browser.follow(answer.headers.get("location")!, REDIRECT_URI);
  if (done.kind !== "redirect") throw new Error(`expected a redirect to the app, got ${done.status}: ${done.html.slice(0, 300)}`);
  return { callback: done.location, consentPage: first.html };
}

async function signIn(config: oidc.Configuration, browser: OidcBrowser) {
  const started = await startSignIn(config);
  const { callback } = await consent(browser, started, "allow");
  return oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });
}

const jwks = () => createRemoteJWKSet(new URL("/oauth/jwks", server.url));

async function tokenRequest(fields: Record<string, string>) {
  const response = await fetch(new URL("/oauth/token", server.url), { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("discovery", () => {
  it("publishes the issuer (PUBLIC_URL) and the endpoints under /oauth", async () => {
    const response = await fetch(new URL("/.well-known/openid-configuration", server.url));
    expect(response.status).toBe(200);
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(server.url);
    expect(metadata.token_endpoint).toBe(`${server.url}/oauth/token`);
    expect(metadata.code_challenge_methods_supported).toEqual(["S256"]);
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(["authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"]));
  });

  it("builds its URLs from PUBLIC_URL whatever Host the client sends", async () => {
    const response = await fetch(new URL("/.well-known/openid-configuration", server.url), { headers: { Host: "evil.test", "X-Forwarded-Host": "evil.test" } });
    expect(JSON.stringify(await response.json())).not.toContain("evil.test");
  });
});

describe("authorization code with PKCE", () => {
  it("signs a person in through our consent page; the ID token verifies against the JWKS and carries email and orgs", async () => {
    const user = await newUser("code");
    const org = await createTestOrg(db, { slug: unique("acme"), name: "Acme", plan: "team", owner: user });
    const app = await registerApp({ type: "web" });
    const config = await rpFor(app);
    const browser = await signedInBrowser(user);
    const started = await startSignIn(config);
    const { callback, consentPage } = await consent(browser, started, "allow");
    expect(consentPage).toContain("See your organizations");
    const tokens = await oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });

    const { payload, protectedHeader } = await jwtVerify(tokens.id_token!, jwks(), { issuer: server.url, audience: app.clientId });
    expect(protectedHeader.alg).toBe("RS256");
    expect(payload).toMatchObject({ sub: user.id, email: user.email, email_verified: true, name: "Person code", orgs: [{ id: org.id, slug: org.slug, name: "Acme", role: "owner", plan: "team" }] });
    expect(tokens.refresh_token).toBeTruthy();

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
    expect(userinfo).toMatchObject({ sub: user.id, email: user.email });
  });

  it("sends a signed-out person to /login and back to the request, then on to consent", async () => {
    const user = await newUser("login");
    const app = await registerApp({ type: "web" });
    const config = await rpFor(app);
    const browser = new OidcBrowser(server.url);
    const started = await startSignIn(config);
    const page = await browser.follow(started.url.href, REDIRECT_URI);
    if (page.kind !== "page") throw new Error("expected the login page");
    expect(page.url.pathname).toBe("/login");
    const redirectTo = page.url.searchParams.get("redirectTo")!;
    expect(redirectTo).toMatch(/^\/interaction\//);
    const login = await browser.post(`/login?redirectTo=${encodeURIComponent(redirectTo)}`, { email: user.email, password: DEFAULT_PASSWORD, redirectTo });
    expect(login.status).toBe(302);
    expect(login.headers.get("location")).toBe(redirectTo);
    const consentPage = await browser.follow(redirectTo, REDIRECT_URI);
    expect(consentPage.kind === "page" && consentPage.html).toContain(`Allow ${""}`);
  });

  it("returns access_denied to the app when the person denies", async () => {
    const user = await newUser("deny");
    const config = await rpFor(await registerApp({ type: "web" }));
    const started = await startSignIn(config);
    const { callback } = await consent(await signedInBrowser(user), started, "deny");
    expect(callback!.searchParams.get("error")).toBe("access_denied");
    await expect(oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: started.verifier, expectedState: started.state })).rejects.toMatchObject({ error: "access_denied" });
  });

  it("skips consent for a trusted first-party app", async () => {
    const user = await newUser("trusted");
    const config = await rpFor(await registerApp({ type: "web", trusted: true }));
    const started = await startSignIn(config, { prompt: "login" });
    const { callback, consentPage } = await consent(await signedInBrowser(user), started, "allow");
    expect(consentPage).toBeNull();
    const tokens = await oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it("issues RFC 9068 JWT access tokens for a registered API, with aud = the resource", async () => {
    const user = await newUser("jwt");
    await createTestOrg(db, { slug: unique("jwt"), owner: user });
    const app = await registerApp({ type: "web", resources: [API] });
    const config = await rpFor(app);
    const started = await startSignIn(config, { resource: API });
    const { callback } = await consent(await signedInBrowser(user), started, "allow");
    const tokens = await oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce }, { resource: API });
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe("at+jwt");
    const { payload } = await jwtVerify(tokens.access_token, jwks(), { issuer: server.url, audience: API, typ: "at+jwt" });
    expect(payload).toMatchObject({ sub: user.id, client_id: app.clientId });
    expect((payload.orgs as unknown[]).length).toBe(1);
  });

  it("a native (public) app signs in with PKCE and no secret", async () => {
    const user = await newUser("native");
    const config = await rpFor(await registerApp({ type: "native" }));
    const tokens = await signIn(config, await signedInBrowser(user));
    expect(tokens.claims()?.sub).toBe(user.id);
  });
});

describe("refresh tokens", () => {
  it("rotates on every use; presenting a replaced one revokes the whole family", async () => {
    const user = await newUser("refresh");
    const config = await rpFor(await registerApp({ type: "web" }));
    const first = await signIn(config, await signedInBrowser(user));
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);
    const third = await oidc.refreshTokenGrant(config, second.refresh_token!);

    // The first one again: a stolen copy. It fails, and so does the newest one.
    await expect(oidc.refreshTokenGrant(config, first.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    await expect(oidc.refreshTokenGrant(config, third.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("drops an org the person has left from the next token (claims are computed at issue time)", async () => {
    const user = await newUser("leaver");
    const org = await createTestOrg(db, { slug: unique("left"), owner: await newUser("owner") });
    await addMember(db, org.id, user, "member");
    const config = await rpFor(await registerApp({ type: "web" }));
    const first = await signIn(config, await signedInBrowser(user));
    expect(first.claims()?.orgs).toHaveLength(1);
    await db.deleteFrom("membership").where("org_id", "=", org.id).where("user_id", "=", user.id).execute();
    const refreshed = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect(refreshed.claims()?.orgs).toEqual([]);
  });

  it("refuses a refresh token once the account is deleted", async () => {
    const user = await newUser("deleted");
    const config = await rpFor(await registerApp({ type: "web" }));
    const tokens = await signIn(config, await signedInBrowser(user));
    const scheduled = await scheduleDeletion(db, { userId: user.id, password: null, ip: null, graceDays: 7 });
    expect(scheduled.ok).toBe(true);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("ends at once when the person revokes the app in /settings/apps", async () => {
    const user = await newUser("settings");
    const app = await registerApp({ type: "web" });
    const config = await rpFor(app);
    const browser = await signedInBrowser(user);
    const tokens = await signIn(config, browser);
    const page = await browser.request("/settings/apps");
    const html = await page.text();
    // Revoke is a confirmed action: the page links to its confirmation step, which names the grant.
    const grantId = /confirm=revoke-([^"#&]+)/.exec(html)?.[1];
    expect(grantId).toBeTruthy();
    // A bare POST (a forged form, a click by mistake) revokes nothing.
    expect((await browser.post("/settings/apps", { grantId: grantId! })).status).toBe(400);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
    const current = (await (await browser.request("/settings/apps")).text()).match(/confirm=revoke-([^"#&]+)/)?.[1];
    expect((await browser.post("/settings/apps", { grantId: current!, confirm: "yes" })).status).toBe(200);
    await expect(oidc.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    // Someone else's grant id: nothing to revoke for them.
    const stranger = await signedInBrowser(await newUser("stranger"));
    expect((await stranger.post("/settings/apps", { grantId: current!, confirm: "yes" })).status).toBe(404);
  });
});

describe("access follows the account: a password reset and signing out everywhere end every app's sign-in", () => {
  /** `user` signed in to two apps (refresh token, opaque access token), each proven to work first. */
  async function signedInToTwoApps(user: TestUser, browser: OidcBrowser) {
    const signedIn = [];
    for (let i = 0; i < 2; i++) {
      const config = await rpFor(await registerApp({ type: "web" }));
      const tokens = await signIn(config, browser);
      expect(await oidc.fetchUserInfo(config, tokens.access_token, user.id)).toMatchObject({ sub: user.id });
      expect(await oidc.tokenIntrospection(config, tokens.access_token)).toMatchObject({ active: true, sub: user.id });
      expect(await oidc.tokenIntrospection(config, tokens.refresh_token!)).toMatchObject({ active: true, sub: user.id });
      signedIn.push({ config, tokens });
    }
    return signedIn;
  }

  /** What a vendor's app sees once access has ended: no new tokens, and the access token it holds refused at userinfo and introspected as inactive. */
  async function expectAccessEnded(user: TestUser, signedIn: Awaited<ReturnType<typeof signedInToTwoApps>>) {
    for (const { config, tokens } of signedIn) {
      expect(await oidc.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
      expect(await oidc.tokenIntrospection(config, tokens.refresh_token!)).toEqual({ active: false });
      await expect(oidc.fetchUserInfo(config, tokens.access_token, user.id)).rejects.toMatchObject({ status: 401, cause: [expect.objectContaining({ parameters: expect.objectContaining({ error: "invalid_token" }) })] });
      await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    }
  }

  /** Someone else, signed in to an app meanwhile: their access must be untouched. */
  async function bystander() {
    const user = await newUser("bystander");
    const config = await rpFor(await registerApp({ type: "web" }));
    const tokens = await signIn(config, await signedInBrowser(user));
    return async () => {
      expect(await oidc.fetchUserInfo(config, tokens.access_token, user.id)).toMatchObject({ sub: user.id });
      expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).refresh_token).toBeTruthy();
    };
  }

  it("a password reset (forgot-password, the emailed link, the new password) revokes every grant, refresh token and access token", async () => {
    const user = await newUser("reset");
    const signedIn = await signedInToTwoApps(user, await signedInBrowser(user));
    const stillWorks = await bystander();

    const forgetful = new OidcBrowser(server.url);
    expect((await forgetful.post("/forgot-password", { email: user.email })).status).toBe(200);
    // The reset link is made by the worker (the same answer goes out for any address); this server runs none.
    await processDeferredAccountWork(db);
    const token = await latestLinkToken(db, user.email, "/reset-password/");
    const reset = await forgetful.post(`/reset-password/${token}`, { password: "a brand new passphrase for oidc" });
    expect(reset.status).toBe(302);
    expect(reset.headers.get("location")).toBe("/login?notice=password-reset");

    await expectAccessEnded(user, signedIn);
    await stillWorks();
  });

  it('"sign out everywhere" in /settings/sessions revokes every grant, refresh token and access token', async () => {
    const user = await newUser("everywhere");
    const browser = await signedInBrowser(user);
    const signedIn = await signedInToTwoApps(user, browser);
    const stillWorks = await bystander();

    // Without the confirmation nothing ends (the safe-actions rule)...
    expect((await browser.post("/settings/sessions", { intent: "end-others" })).status).toBe(400);
    expect(await oidc.tokenIntrospection(signedIn[0]!.config, signedIn[0]!.tokens.refresh_token!)).toMatchObject({ active: true });
    // ...with it, every app's sign-in ends with the other sessions.
    expect((await browser.post("/settings/sessions", { intent: "end-others", confirm: "yes" })).status).toBe(200);

    await expectAccessEnded(user, signedIn);
    await stillWorks();
  });
});

describe("revocation and introspection", () => {
  it("revokes a refresh token (RFC 7009) and introspection then calls it inactive", async () => {
    const user = await newUser("revoke");
    const config = await rpFor(await registerApp({ type: "web" }));
    const tokens = await signIn(config, await signedInBrowser(user));
    expect(await oidc.tokenIntrospection(config, tokens.refresh_token!)).toMatchObject({ active: true, sub: user.id });
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    expect(await oidc.tokenIntrospection(config, tokens.refresh_token!)).toMatchObject({ active: false });
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  });
});

describe("client credentials", () => {
  it("gives a service a JWT access token for its API, and refuses a wrong secret", async () => {
    const app = await registerApp({ type: "service", grants: ["client_credentials"], resources: [API] });
    const config = await rpFor(app);
    const tokens = await oidc.clientCredentialsGrant(config, { resource: API });
    const { payload } = await jwtVerify(tokens.access_token, jwks(), { issuer: server.url, audience: API });
    expect(payload.client_id).toBe(app.clientId);
    expect(payload.sub).toBe(app.clientId);

    const wrongSecret = await fetch(new URL("/oauth/token", server.url), {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}x`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "client_credentials", resource: API }),
    });
    expect(wrongSecret.status).toBe(401);
    expect(await wrongSecret.json()).toMatchObject({ error: "invalid_client" });
    const stored = await db.selectFrom("oauth_app").select("secret_hash").where("client_id", "=", app.clientId).executeTakeFirstOrThrow();
    expect(stored.secret_hash).not.toContain(app.clientSecret!);
    expect(stored.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("device authorization (RFC 8628)", () => {
  async function startDevice(config: oidc.Configuration) {
    return oidc.initiateDeviceAuthorization(config, { scope: "openid email orgs offline_access", hostname: "ada-laptop", os: "macOS 15", cli_version: "2.4.1" });
  }

  it("signs a CLI in: start, approve on /device (signed in, with the device's details shown), poll", async () => {
    const user = await newUser("device");
    const config = await rpFor(await registerApp({ type: "native", redirectUris: [], grants: ["device_code", "refresh_token"] }));
    const started = await startDevice(config);
    expect(started.verification_uri).toBe(`${server.url}/device`);
    expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(started.interval).toBe(5);

    // Signed out, the page sends the person to log in and back with the code.
    const anonymous = await new OidcBrowser(server.url).request(new URL(started.verification_uri_complete!).pathname + new URL(started.verification_uri_complete!).search);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toContain(encodeURIComponent("/device?user_code="));

    const browser = await signedInBrowser(user);
    // Typed in lower case without the dash: still the code.
    const typed = started.user_code.toLowerCase().replace("-", "");
    const confirm = await browser.post("/device", { intent: "lookup", user_code: typed });
    const html = await confirm.text();
    expect(confirm.status).toBe(200);
    for (const shown of ["ada-laptop", "macOS 15", "2.4.1", "127.0.0.1", "See your organizations"]) expect(html).toContain(shown);

    const polled = oidc.pollDeviceAuthorizationGrant(config, started);
    const allow = await browser.post("/device", { intent: "allow", user_code: started.user_code });
    expect(allow.status).toBe(200);
    expect(await allow.text()).toContain("is signed in");
    const tokens = await polled;
    const { payload } = await jwtVerify(tokens.id_token!, jwks(), { issuer: server.url });
    expect(payload.sub).toBe(user.id);
    expect(tokens.refresh_token).toBeTruthy();

    // /settings/apps shows the device as the CLI described it.
    const settings = await (await browser.request("/settings/apps")).text();
    expect(settings).toContain("ada-laptop");
    expect(settings).toContain("macOS 15");

    // The code is single-use: entering it again is refused, and so is a second redemption.
    const again = await browser.post("/device", { intent: "lookup", user_code: started.user_code });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("already used");
    const replay = await tokenRequest({ client_id: config.clientMetadata().client_id, grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: started.device_code });
    expect(replay).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    // A replayed device code means it leaked: what it was exchanged for is revoked too.
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });

  }, 60_000);

  it("tells a CLI that polls too fast to slow down, and reports a denial as access_denied", async () => {
    const user = await newUser("device-deny");
    const config = await rpFor(await registerApp({ type: "native", redirectUris: [], grants: ["device_code"] }));
    const started = await startDevice(config);
    const poll = () => tokenRequest({ client_id: config.clientMetadata().client_id, grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: started.device_code });
    const answers = [await poll(), await poll()];
    expect(answers.map((a) => a.body.error)).toEqual(["authorization_pending", "slow_down"]);

    const browser = await signedInBrowser(user);
    expect((await browser.post("/device", { intent: "deny", user_code: started.user_code })).status).toBe(200);
    await expect(oidc.pollDeviceAuthorizationGrant(config, started)).rejects.toMatchObject({ error: "access_denied" });
  }, 30_000);

  it("refuses an expired code on /device and at the token endpoint (expired_token)", async () => {
    const user = await newUser("device-expired");
    const config = await rpFor(await registerApp({ type: "native", redirectUris: [], grants: ["device_code"] }));
    const started = await startDevice(config);
    await db
      .updateTable("oidc_payload")
      .set((eb) => ({ payload: eb.fn("jsonb_set", [eb.ref("payload"), eb.val("{exp}"), eb.val(JSON.stringify(Math.floor(Date.now() / 1000) - 1))]) as never }))
      .where("kind", "=", "DeviceCode")
      .where("user_code", "=", started.user_code.replace("-", ""))
      .execute();
    const browser = await signedInBrowser(user);
    const page = await browser.post("/device", { intent: "allow", user_code: started.user_code });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("expired");
    const answer = await tokenRequest({ client_id: config.clientMetadata().client_id, grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: started.device_code });
    expect(answer).toMatchObject({ status: 400, body: { error: "expired_token" } });
  });

  it("answers a wrong or malformed code with a clear 400, never a 500", async () => {
    const browser = await signedInBrowser(await newUser("device-wrong"));
    for (const code of ["BCDF-GHJK", "AEIO-U123", "x".repeat(20), ""]) {
      const page = await browser.post("/device", { intent: "lookup", user_code: code });
      expect(page.status, code).toBe(400);
    }
  });

  it("rate-limits code entry per person", async () => {
    const browser = await signedInBrowser(await newUser("device-flood"));
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++) statuses.push((await browser.post("/device", { intent: "lookup", user_code: "BCDF-GHJK" })).status);
    expect(statuses.slice(0, 10).every((status) => status === 400)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("requests the RFCs say to refuse", () => {
  it("shows an error page (no redirect) for a redirect URI that is not registered", async () => {
    const config = await rpFor(await registerApp({ type: "web" }));
    const started = await startSignIn(config, { redirect_uri: "https://evil.test/callback" });
    const response = await fetch(started.url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain("redirect_uri");
  });

  it("refuses an authorization request without PKCE, or with the plain method", async () => {
    const config = await rpFor(await registerApp({ type: "web" }));
    for (const pkce of [{ code_challenge: "" }, { code_challenge_method: "plain" }] as Array<Record<string, string>>) {
      const started = await startSignIn(config, pkce);
      if (!pkce.code_challenge) started.url.searchParams.delete("code_challenge");
      const response = await fetch(started.url, { redirect: "manual" });
      expect(response.status).toBe(303);
      const location = new URL(response.headers.get("location")!);
      expect(location.href.startsWith(REDIRECT_URI)).toBe(true);
      expect(location.searchParams.get("error")).toBe("invalid_request");
    }
  });

  it("refuses a code redeemed by another client, or without the right verifier", async () => {
    const user = await newUser("swap");
    const victim = await rpFor(await registerApp({ type: "web" }));
    const other = await rpFor(await registerApp({ type: "web" }));
    const started = await startSignIn(victim);
    const { callback } = await consent(await signedInBrowser(user), started, "allow");
    const code = callback!.searchParams.get("code")!;
    const otherApp = other.clientMetadata();
    const stolen = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, code_verifier: started.verifier, client_id: otherApp.client_id, client_secret: String(otherApp.client_secret ?? "") });
    expect(stolen.status).toBeGreaterThanOrEqual(400);
    expect(stolen.status).toBeLessThan(500);
    expect(["invalid_grant", "invalid_client"]).toContain(stolen.body.error);
    await expect(oidc.authorizationCodeGrant(victim, callback!, { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: started.state })).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("refuses a consent post for an interaction this browser did not start", async () => {
    const user = await newUser("fixation");
    const config = await rpFor(await registerApp({ type: "web" }));
    const attacker = new OidcBrowser(server.url);
    const started = await startSignIn(config);
    const first = await attacker.follow(started.url.href, REDIRECT_URI);
    if (first.kind !== "page") throw new Error("expected a page");
    const uid = /\/interaction\/([^?]+)/.exec(first.url.searchParams.get("redirectTo") ?? first.url.pathname)?.[1];
    expect(uid).toBeTruthy();
    const victim = await signedInBrowser(user);
    const answer = await victim.request(`/interaction/${uid}`);
    expect(answer.status).toBe(400);
  });
});

describe("registering apps", () => {
  async function operatorBrowser() {
    const operator = await newUser("operator");
    await db.updateTable("user").set({ is_operator: true }).where("id", "=", operator.id).execute();
    return signedInBrowser(operator);
  }

  it("an operator registers an app at /admin/apps: the secret is shown once and stored as a hash", async () => {
    const browser = await operatorBrowser();
    const answer = await browser.request("/admin/apps", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin" },
      body: new URLSearchParams([
        ["intent", "create"],
        ["name", "Vendor Web"],
        ["type", "web"],
        ["redirectUris", `${REDIRECT_URI}\nhttps://app.vendor.test/callback`],
        ["grants", ""],
        ["grants", "authorization_code"],
        ["grants", "refresh_token"],
        ["scopes", ""],
        ["scopes", "openid"],
        ["scopes", "email"],
        ["scopes", "offline_access"],
        ["trusted", "on"],
      ]),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("cache-control")).toContain("no-store");
    const html = await answer.text();
    const secret = /(gcs_[a-z0-9]+)/.exec(html)?.[1];
    const clientId = /(app_[a-z0-9]+)/.exec(html)?.[1];
    expect(secret && clientId).toBeTruthy();
    const row = await db.selectFrom("oauth_app").selectAll().where("client_id", "=", clientId!).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: "Vendor Web", type: "web", trusted: true, redirect_uris: [REDIRECT_URI, "https://app.vendor.test/callback"], scopes: ["openid", "email", "offline_access"] });
    expect(row.secret_hash).not.toBe(secret);
    // The list never shows it again.
    expect(await (await browser.request("/admin/apps")).text()).not.toContain(secret!);
    // And the app works with it.
    const config = await rpFor({ clientId: clientId!, clientSecret: secret! });
    const started = await startSignIn(config, { scope: "openid email", prompt: "login" });
    const { callback, consentPage } = await consent(await signedInBrowser(await newUser("vendor-web")), started, "allow");
    expect(consentPage).toBeNull(); // trusted
    const tokens = await oidc.authorizationCodeGrant(config, callback!, { pkceCodeVerifier: started.verifier, expectedState: started.state, expectedNonce: started.nonce });
    expect(tokens.claims()?.email).toBeTruthy();
    // A scope the app was not allowed is refused, not silently granted.
    const tooMuch = await consent(await signedInBrowser(await newUser("vendor-web-2")), await startSignIn(config, { scope: "openid orgs" }), "allow");
    expect(tooMuch.callback?.searchParams.get("error")).toBe("invalid_scope");

    // Deleting it asks first: a bare POST keeps it, the confirmed one (as the page's confirmation sends it) removes it.
    const remove = (fields: Array<[string, string]>) =>
      browser.request("/admin/apps", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin" },
        body: new URLSearchParams([["intent", "delete"], ["clientId", clientId!], ["grants", ""], ["scopes", ""], ...fields]),
      });
    expect((await remove([])).status).toBe(400);
    expect(await db.selectFrom("oauth_app").select("client_id").where("client_id", "=", clientId!).executeTakeFirst()).toBeTruthy();
    expect((await remove([["confirm", "yes"]])).status).toBe(200);
    expect(await db.selectFrom("oauth_app").select("client_id").where("client_id", "=", clientId!).executeTakeFirst()).toBeUndefined();
  });

  it("refuses an app that could not work safely, with a message per field", async () => {
    const browser = await operatorBrowser();
    const cases: Array<[Array<[string, string]>, RegExp]> = [
      [[["type", "web"], ["redirectUris", "http://app.vendor.test/cb"], ["grants", "authorization_code"]], /must use https/],
      [[["type", "native"], ["redirectUris", REDIRECT_URI], ["grants", "client_credentials"]], /cannot use client credentials/],
      [[["type", "service"], ["grants", "authorization_code"]], /client credentials only/],
      [[["type", "web"], ["redirectUris", "not a url"], ["grants", "authorization_code"]], /not an absolute URL/],
    ];
    for (const [fields, message] of cases) {
      const answer = await browser.request("/admin/apps", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin" },
        body: new URLSearchParams([["intent", "create"], ["name", "Bad"], ["grants", ""], ["scopes", ""], ...fields]),
      });
      expect(answer.status).toBe(400);
      expect(await answer.text()).toMatch(message);
    }
  });

  it("is for operators only", async () => {
    const browser = await signedInBrowser(await newUser("not-operator"));
    expect((await browser.request("/admin/apps")).status).toBe(404);
    expect((await browser.post("/admin/apps", { intent: "create", name: "x", type: "web" })).status).toBe(404);
  });

  it("npm run admin:app prints the new client as JSON, and admin:rotate-keys the new key id", async () => {
    const { execFile } = await import("node:child_process");
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ["build/admin.js", ...args], { env: { PATH: process.env.PATH ?? "", DATABASE_URL: workerDatabaseUrl(), SECRETS_KEY, LOG_LEVEL: "warn", PUBLIC_URL: server.url } as unknown as NodeJS.ProcessEnv }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const created = await run(["app", "create", "--name", "Vendor CLI", "--public", "--grant", "device_code", "--grant", "refresh_token"]);
    expect(created.code, created.stderr).toBe(0);
    const app = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(app).toMatchObject({ name: "Vendor CLI", type: "native", client_secret: null, grants: ["device_code", "refresh_token"], issuer: server.url });
    const started = await oidc.initiateDeviceAuthorization(await rpFor({ clientId: String(app.client_id), clientSecret: null }), { scope: "openid" });
    expect(started.user_code).toBeTruthy();

    const bad = await run(["app", "create", "--name", "Bad", "--redirect-uri", "ftp://x"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("redirectUris");

    const rotated = await run(["rotate-keys"]);
    expect(rotated.code, rotated.stderr).toBe(0);
    const { new_kid: newKid } = JSON.parse(rotated.stdout) as { new_kid: string };
    // Every replica's JWKS lists the new key (within its one-minute cache).
    const published = await eventuallyPublished(newKid);
    expect(published).toBe(true);
  }, 60_000);
});

async function eventuallyPublished(kid: string): Promise<boolean> {
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const { keys } = (await (await fetch(new URL("/oauth/jwks", server.url))).json()) as { keys: Array<{ kid: string }> };
    if (keys.some((key) => key.kid === kid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return false;
}
