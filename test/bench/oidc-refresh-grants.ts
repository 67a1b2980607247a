// Token-endpoint throughput: refresh-token grants/s, as the vendor's apps make
// them with openid-client. Each signed-in person's app keeps one token chain
// and always presents the newest token (they rotate on every use; presenting
// an old one would revoke the chain), so each grant also checks the client's
// secret, replaces the refresh token, issues an access token and an RS256 ID
// token with the person's orgs computed afresh.
import * as oidc from "openid-client";
import { CONNECTIONS, DURATION_S, ratio, type BenchScenario } from "./harness";
import { forSeconds, vendorAppWithPeople } from "./oidc-vendor-app";

export const oidcRefreshGrants: BenchScenario = {
  name: "OpenID Connect: refresh-token grants",
  async run(target) {
    const { config, people } = await vendorAppWithPeople(target, CONNECTIONS, "refresh");
    const refresh = async (person: (typeof people)[number]) => {
      person.tokens = await oidc.refreshTokenGrant(config, person.tokens.refresh_token!);
      if (!person.tokens.refresh_token || !person.tokens.id_token) throw new Error("a refresh grant came back without a new refresh token and ID token");
    };
    const warmUp = await forSeconds("refresh grants (warm-up, not counted)", 2, people, refresh);
    const grants = await forSeconds(`POST /oauth/token refresh_token grants (openid-client, ${people.length} apps' sign-ins at once)`, DURATION_S, people, refresh);
    return {
      ratios: [["refresh-token grants/s (openid-client) vs /privacy", ratio(grants.rps, target.floorRps), "(record)"]],
      scenarios: [grants],
      lines: [`refresh-token grants/s (token endpoint, rotated on every use, ${people.length} at once): ${grants.rps}, p50 ${grants.p50} ms, p99 ${grants.p99} ms`],
      failures: warmUp.errors + grants.errors,
      data: { refreshGrants: grants },
    };
  },
};
