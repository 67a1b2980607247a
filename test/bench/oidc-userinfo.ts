// Userinfo requests/s as the vendor's app makes them with openid-client: the
// person's access token at /oauth/me, and the answer accepted only for the
// subject of the ID token the app verified against our JWKS at sign-in
// (OpenID Connect Core 5.3.2). Each request looks the token, its grant, the
// app and the person up and computes the orgs claim afresh.
//
// Next to it, the other place access tokens are checked against the JWKS: the
// vendor's own API verifying the RFC 9068 JWT access tokens we issue for it
// (jose, keys fetched from /oauth/jwks and cached, as vendors do). That work is
// the vendor's, on this process; it shows what an API saves by verifying
// tokens itself rather than asking us on every request.
import { jwtVerify } from "jose";
import * as oidc from "openid-client";
import { CONNECTIONS, DURATION_S, ratio, type BenchScenario } from "./harness";
import { forSeconds, VENDOR_API, vendorAppWithPeople } from "./oidc-vendor-app";

/** Verifying is CPU in this process: a few callers keep it busy. */
const API_CALLERS = 10;

export const oidcUserinfo: BenchScenario = {
  name: "OpenID Connect: userinfo, and JWT access tokens verified against the JWKS",
  async run(target) {
    const { config, people } = await vendorAppWithPeople(target, CONNECTIONS, "userinfo");
    const issuer = config.serverMetadata().issuer;
    const userinfo = async (person: (typeof people)[number]) => {
      const claims = await oidc.fetchUserInfo(config, person.tokens.access_token, person.sub);
      if (!Array.isArray(claims.orgs) || claims.orgs.length !== 1) throw new Error("userinfo came back without the person's org");
    };
    const warmUp = await forSeconds("userinfo (warm-up, not counted)", 2, people, userinfo);
    const answered = await forSeconds(`GET /oauth/me userinfo (openid-client, sub checked against the JWKS-verified ID token, ${people.length} at once)`, DURATION_S, people, userinfo);

    // People signed in for the API: their access tokens are RFC 9068 JWTs with aud = the API.
    const forApi = await vendorAppWithPeople(target, API_CALLERS, "api", { resource: VENDOR_API });
    const verified = await forSeconds(`RFC 9068 access tokens verified against the JWKS by the vendor's API (jose, ${API_CALLERS} callers at once)`, DURATION_S, forApi.people, async ({ sub, tokens }) => {
      const { payload } = await jwtVerify(tokens.access_token, forApi.jwks, { issuer, audience: VENDOR_API, typ: "at+jwt" });
      if (payload.sub !== sub) throw new Error("a JWT access token named someone else");
    });
    return {
      ratios: [["userinfo requests/s (openid-client) vs /privacy", ratio(answered.rps, target.floorRps), "(record)"]],
      scenarios: [answered, verified],
      lines: [
        `userinfo requests/s (GET /oauth/me, answers checked against the JWKS-verified ID token's sub, ${people.length} at once): ${answered.rps}, p50 ${answered.p50} ms, p99 ${answered.p99} ms`,
        `JWT access tokens verified against the JWKS/s by the vendor's API (jose, this process): ${verified.rps}`,
      ],
      failures: warmUp.errors + answered.errors + verified.errors,
      data: { userinfo: answered, jwtVerifiedByApi: verified },
    };
  },
};
