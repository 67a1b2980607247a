// openid-client's view of one OIDC connection's IdP: from its discovery
// document (fetched from the issuer, or pasted by the admin for an IdP this
// server cannot reach) and the connection's client id and decrypted secret.
import * as oidc from "openid-client";
import { decryptSecret } from "../../secrets";
import { clientSecretContext, type SsoConnection } from "../connections";

/**
 * Plain http only to an IdP on this machine (a Keycloak beside Gatehouse, the
 * tests' IdP); anything that crosses a network must be https.
 */
export function isLoopbackUrl(url: URL): boolean {
  return ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

function insecureAllowed(issuer: URL): boolean {
  return issuer.protocol === "http:" && isLoopbackUrl(issuer);
}

function clientAuth(secret: string, methods: unknown): oidc.ClientAuth {
  // client_secret_basic is the spec's default; an IdP that lists only post gets post.
  const supported = Array.isArray(methods) ? methods : null;
  return supported && !supported.includes("client_secret_basic") && supported.includes("client_secret_post") ? oidc.ClientSecretPost(secret) : oidc.ClientSecretBasic(secret);
}

export async function oidcConfiguration(connection: SsoConnection): Promise<oidc.Configuration> {
  if (!connection.oidc_issuer || !connection.oidc_client_id || !connection.oidc_client_secret_ciphertext) throw new Error("the connection has no OIDC settings");
  const issuer = new URL(connection.oidc_issuer);
  const secret = decryptSecret(connection.oidc_client_secret_ciphertext, clientSecretContext(connection.id));
  let config: oidc.Configuration;
  if (connection.oidc_discovery) {
    const metadata = connection.oidc_discovery as unknown as oidc.ServerMetadata;
    config = new oidc.Configuration(metadata, connection.oidc_client_id, undefined, clientAuth(secret, metadata.token_endpoint_auth_methods_supported));
    if (insecureAllowed(issuer)) oidc.allowInsecureRequests(config);
  } else {
    const options = insecureAllowed(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined;
    // discovery() checks that the document's issuer is the one we asked (RFC 8414).
    const probe = await oidc.discovery(issuer, connection.oidc_client_id, undefined, oidc.ClientSecretBasic(secret), options);
    config = new oidc.Configuration(probe.serverMetadata(), connection.oidc_client_id, undefined, clientAuth(secret, probe.serverMetadata().token_endpoint_auth_methods_supported));
    if (options) oidc.allowInsecureRequests(config);
  }
  // The ID token's signature is checked against the IdP's keys as well, not only trusted for having come over TLS.
  if (config.serverMetadata().jwks_uri) oidc.enableNonRepudiationChecks(config);
  return config;
}
