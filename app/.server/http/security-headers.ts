// Headers every response carries. The CSP allows scripts only from our origin or
// with this response's nonce (Remix's hydration scripts get it), never inline.
// The operator's own Umami, when configured, is the one other origin allowed:
// its script loads from there and reports page views back to it.
export function securityHeaders(nonce: string, publicUrl: URL, options: { analyticsOrigin?: string | null; logoOrigin?: string | null } = {}): Record<string, string> {
  const analytics = options.analyticsOrigin ? ` ${options.analyticsOrigin}` : "";
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${analytics}`,
    "style-src 'self'",
    `img-src 'self' data:${options.logoOrigin ? ` ${options.logoOrigin}` : ""}`,
    "font-src 'self'",
    `connect-src 'self'${analytics}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  const headers: Record<string, string> = {
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
  };
  if (publicUrl.protocol === "https:") {
    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";
  }
  return headers;
}
