// Our service provider's addresses for one connection, all on PUBLIC_URL (never
// the request's Host header), and the RelayState rule: after sign-in we only
// ever send people to a path of our own.
import { getEnv } from "../../env";

export type SamlServiceProviderUrls = {
  /** Our SAML entity id: the metadata URL, as most IdPs expect. */
  entityId: string;
  /** Assertion Consumer Service: where the IdP POSTs its response. */
  acsUrl: string;
  metadataUrl: string;
  /** SP-initiated sign-in starts here. */
  loginUrl: string;
};

export function samlServiceProviderUrls(connectionId: string, publicUrl: URL = getEnv().PUBLIC_URL): SamlServiceProviderUrls {
  const base = `/sso/saml/${encodeURIComponent(connectionId)}`;
  const at = (path: string) => new URL(`${base}${path}`, publicUrl).href;
  return { entityId: at("/metadata"), acsUrl: at("/acs"), metadataUrl: at("/metadata"), loginUrl: at("/login") };
}

const MAX_RELAY_STATE = 1024;

/**
 * A RelayState we may redirect to: our own path (with its query), or null.
 * An absolute URL on PUBLIC_URL's origin is reduced to its path; anything that
 * could leave the site (another origin, "//host", "/\host", a scheme, control
 * characters) is refused.
 */
export function safeRelayState(value: unknown, publicUrl: URL = getEnv().PUBLIC_URL): string | null {
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  if (!trimmed || trimmed.length > MAX_RELAY_STATE) return null;
  // Control characters and backslashes are how "/\evil.example" and "/\t/evil" slip past browsers.
  if ([...trimmed].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f || char === "\\")) return null;
  const isPath = trimmed.startsWith("/") && !trimmed.startsWith("//");
  const isAbsolute = /^https?:\/\//i.test(trimmed);
  if (!isPath && !isAbsolute) return null;
  let target: URL;
  try {
    target = new URL(trimmed, publicUrl);
  } catch {
    return null;
  }
  if (target.origin !== publicUrl.origin) return null;
  const path = `${target.pathname}${target.search}${target.hash}`;
  return path.startsWith("/") && !path.startsWith("//") ? path : null;
}
