import { describe, expect, it } from "vitest";
import { analyticsSettings } from "../analytics";
import { securityHeaders } from "./security-headers";

const PUBLIC_URL = new URL("https://accounts.example.com");
const DEFAULT_CSP =
  "default-src 'self'; script-src 'self' 'nonce-abc'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const directives = (csp: string) => Object.fromEntries(csp.split("; ").map((d) => [d.split(" ")[0], d]));

describe("securityHeaders", () => {
  it("keeps the default CSP exactly as it is when Umami is not configured", () => {
    expect(securityHeaders("abc", PUBLIC_URL)["Content-Security-Policy"]).toBe(DEFAULT_CSP);
    expect(securityHeaders("abc", PUBLIC_URL, { analyticsOrigin: null })["Content-Security-Policy"]).toBe(DEFAULT_CSP);
    const analytics = analyticsSettings({ UMAMI_SCRIPT_URL: undefined, UMAMI_WEBSITE_ID: undefined });
    expect(analytics).toBeNull();
  });

  it("allows the Umami script's origin for scripts and connections only when configured", () => {
    const analytics = analyticsSettings({ UMAMI_SCRIPT_URL: "https://stats.example.org:8443/script.js", UMAMI_WEBSITE_ID: "b1f0c5b6-6f0e-4b43-9a5e-2a4f4f2c1d10" });
    expect(analytics?.origin).toBe("https://stats.example.org:8443");
    const csp = securityHeaders("abc", PUBLIC_URL, { analyticsOrigin: analytics?.origin })["Content-Security-Policy"]!;
    const byName = directives(csp);
    expect(byName["script-src"]).toBe("script-src 'self' 'nonce-abc' https://stats.example.org:8443");
    expect(byName["connect-src"]).toBe("connect-src 'self' https://stats.example.org:8443");
    // Nothing else moves: the rest is the default, directive for directive.
    const rest = (policy: string) => policy.split("; ").filter((d) => !d.startsWith("script-src") && !d.startsWith("connect-src"));
    expect(rest(csp)).toEqual(rest(DEFAULT_CSP));
    expect(csp).not.toContain("/script.js");
  });

  it("sends HSTS only for an https public URL", () => {
    expect(securityHeaders("abc", PUBLIC_URL)["Strict-Transport-Security"]).toBe("max-age=31536000; includeSubDomains");
    expect(securityHeaders("abc", new URL("http://localhost:3000"))["Strict-Transport-Security"]).toBeUndefined();
  });
});
