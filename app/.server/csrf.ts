// Cross-site request forgery guard for every state-changing browser request.
// Remix's own check lets a request with no Origin header through, so we do not
// rely on it: a request must prove it came from our own pages, or it is refused.
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

// These paths authenticate every request by other means (an HMAC signature or a
// bearer API key) and are called by servers, which send neither header.
const EXEMPT_PREFIXES = ["/webhooks/", "/api/v1/"];
// A SAML IdP answers with a cross-site form POST by design; the signed
// assertion (checked in sso/saml/) is what authenticates it.
const SAML_ACS = /^\/sso\/saml\/[^/]+\/acs$/;

export type CsrfVerdict = { ok: true } | { ok: false; reason: string };

export function checkCsrf(input: {
  method: string;
  path: string;
  secFetchSite: string | undefined;
  origin: string | undefined;
  publicOrigin: string;
}): CsrfVerdict {
  if (SAFE_METHODS.has(input.method.toUpperCase())) return { ok: true };
  if (EXEMPT_PREFIXES.some((prefix) => input.path.startsWith(prefix)) || SAML_ACS.test(input.path)) return { ok: true };

  // Modern browsers send Sec-Fetch-Site on every request; when it is present it
  // is authoritative, because a page cannot set or remove it.
  if (input.secFetchSite !== undefined) {
    return input.secFetchSite === "same-origin"
      ? { ok: true }
      : { ok: false, reason: `cross-site request (Sec-Fetch-Site: ${input.secFetchSite})` };
  }
  // Older browsers: fall back to Origin. Absent or "null" (sandboxed frames,
  // some redirects) fails closed.
  if (input.origin === undefined) return { ok: false, reason: "no Origin or Sec-Fetch-Site header" };
  if (input.origin === input.publicOrigin) return { ok: true };
  return { ok: false, reason: `Origin ${input.origin} is not ${input.publicOrigin}` };
}
