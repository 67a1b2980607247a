// The addresses of this server an IdP needs, per connection: what the admin
// copies from /orgs/:slug/sso (or the CLI prints) into the IdP's settings.
import { getEnv } from "../env";

export function ssoUrls(connectionId: string) {
  const base = getEnv().PUBLIC_URL;
  const at = (path: string) => new URL(path, base).href;
  return {
    oidcRedirectUri: at(`/sso/oidc/${connectionId}/callback`),
    samlAcsUrl: at(`/sso/saml/${connectionId}/acs`),
    samlMetadataUrl: at(`/sso/saml/${connectionId}/metadata`),
    // The SP's entity id is its metadata URL: unique per connection, and it resolves.
    samlEntityId: at(`/sso/saml/${connectionId}/metadata`),
    signInUrl: at(`/sso/${connectionId}/start`),
  };
}
