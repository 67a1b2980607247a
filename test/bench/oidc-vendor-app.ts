// The vendor's app, for the OpenID Connect scenarios of `npm run bench`: a
// registered web app driven by openid-client (the relying-party library a
// vendor would use), and people who signed in to it through the real
// authorization code + PKCE flow, each with an org so that the `orgs` claim is
// computed as a token is issued, as it is for real customers.
import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { createApp } from "../../app/.server/identity/apps";
import { AppInputSchema } from "../../app/utils/oauth-app-schema";
import { createTestOrg } from "../factories/orgs";
import { createUser, sessionCookieFor } from "../factories/users";
import { OidcBrowser, startSignIn } from "../server/oidc-browser";
import { connect } from "../setup/databases";
import type { BenchTarget, Scenario } from "./harness";

const REDIRECT_URI = "http://127.0.0.1:8765/callback";
export const VENDOR_API = "https://api.vendor.bench";

export type SignedInPerson = { sub: string; tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers };

let apps = 0;

/**
 * A web app allowed refresh tokens and JWT access tokens for the vendor's
 * API, and `count` people signed in to it (and allowed it on our consent page).
 * Signed in for `resource`, their access tokens are RFC 9068 JWTs for that API;
 * without, opaque tokens for our userinfo. Each person's ID token is verified against the JWKS, as the app does.
 */
export async function vendorAppWithPeople(target: BenchTarget, count: number, label: string, options: { resource?: string } = {}) {
  const db = connect(target.databaseUrl);
  const app = await createApp(
    db,
    AppInputSchema.parse({
      name: `Bench ${label}`,
      type: "web",
      redirectUris: [REDIRECT_URI],
      grants: ["authorization_code", "refresh_token"],
      scopes: ["openid", "email", "profile", "orgs", "offline_access"],
      resources: [VENDOR_API],
    }),
  );
  // The issuer is PUBLIC_URL (http://localhost:PORT), so the app discovers it there.
  const config = await oidc.discovery(new URL(target.origin), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret!), { execute: [oidc.allowInsecureRequests] });
  const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
  const run = ++apps;

  const people: SignedInPerson[] = [];
  for (let i = 0; i < count; i++) {
    const user = await createUser(db, { email: `bench-oidc-${label}-${run}-${i}@example.com`, name: `Bench ${label} ${i}` });
    await createTestOrg(db, { slug: `bench-oidc-${label}-${run}-${i}`, plan: "team", owner: user });
    const browser = new OidcBrowser(target.origin);
    browser.setCookie(await sessionCookieFor(db, user));
    const { url, verifier, state, nonce } = await startSignIn(config, REDIRECT_URI, options.resource ? { resource: options.resource } : {});
    const consent = await browser.follow(url.href, REDIRECT_URI);
    if (consent.kind !== "page" || !consent.url.pathname.startsWith("/interaction/")) throw new Error("signing in to the bench app did not reach the consent page");
    const allowed = await browser.post(consent.url.pathname, { decision: "allow" });
    const back = await browser.follow(allowed.headers.get("location") ?? "/", REDIRECT_URI);
    if (back.kind !== "redirect") throw new Error(`signing in to the bench app stopped at ${back.url.href} (${back.status})`);
    const tokens = await oidc.authorizationCodeGrant(config, back.location, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }, options.resource ? { resource: options.resource } : undefined);
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: config.serverMetadata().issuer, audience: app.clientId });
    people.push({ sub: payload.sub!, tokens });
  }
  await db.destroy();
  return { config, jwks, people };
}

/**
 * One loop per person, each repeating `step` for that person until `seconds`
 * have passed; steps that finish in time count, and every loop finishes the
 * step it began before this returns (a refresh cut off half-way would leave
 * its token chain broken for the next run).
 */
export async function forSeconds<T>(name: string, seconds: number, people: T[], step: (person: T) => Promise<void>): Promise<Scenario & { failures: Record<string, number> }> {
  const deadline = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  let failed = 0;
  await Promise.all(
    people.map(async (person) => {
      while (Date.now() < deadline) {
        const started = performance.now();
        try {
          await step(person);
          if (Date.now() <= deadline) latencies.push(performance.now() - started);
        } catch (error) {
          failed++;
          const kind = String((error as { error?: string }).error ?? (error as Error).message).slice(0, 120);
          failures[kind] = (failures[kind] ?? 0) + 1;
          return; // this person's tokens are no good any more
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? 0);
  const scenario = { name, rps: Math.round((latencies.length / seconds) * 10) / 10, p50: percentile(50), p95: percentile(97.5), p99: percentile(99), errors: failed, non2xx: 0, statuses: {}, failures };
  console.log(`  ${name}: ${scenario.rps}/s, p50 ${scenario.p50} ms, p99 ${scenario.p99} ms, failed ${failed}${failed ? ` ${JSON.stringify(failures)}` : ""}`);
  return scenario;
}
