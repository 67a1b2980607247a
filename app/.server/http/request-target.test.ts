import { describe, expect, it } from "vitest";
import { resolveRequestTarget } from "./request-target";

const PUBLIC_URL = new URL("https://accounts.example.com");
const resolved = (target: string) => {
  const result = resolveRequestTarget(target, PUBLIC_URL);
  return result.ok ? `${result.url.origin}${result.url.pathname}${result.url.search}` : `refused: ${result.reason}`;
};

describe("resolveRequestTarget", () => {
  it("keeps an ordinary path and query, on PUBLIC_URL's origin", () => {
    expect(resolved("/settings?intent=name")).toBe("https://accounts.example.com/settings?intent=name");
    expect(resolved("/api/v1/audit-events?limit=2")).toBe("https://accounts.example.com/api/v1/audit-events?limit=2");
    // Dots inside a segment are not dot segments.
    expect(resolved("/assets/entry.client-abc.js")).toBe("https://accounts.example.com/assets/entry.client-abc.js");
    expect(resolved("/.well-known/openid-configuration")).toBe("https://accounts.example.com/.well-known/openid-configuration");
    expect(resolved("/a/...b/c..")).toBe("https://accounts.example.com/a/...b/c..");
  });

  it("refuses a dot segment in every spelling", () => {
    for (const target of [
      "/api/v1/../../settings",
      "/webhooks/./x",
      "/api/v1/%2e%2e/settings",
      "/api/v1/%2E%2e/settings",
      "/api/v1/.%2e/settings",
      "/api/v1/%2e./settings",
      "/api/v1/%2e/settings",
      "/api/v1\\..\\settings",
      "/..",
      "/x/..?y=1",
    ]) {
      expect(resolved(target), target).toBe("refused: the path has . or .. segments");
    }
  });

  it("allows dots in the query string", () => {
    expect(resolved("/login?redirectTo=/a/../b")).toBe("https://accounts.example.com/login?redirectTo=/a/../b");
  });

  it("keeps a doubled slash a path on our origin, and reads a backslash as a slash, as routing does", () => {
    expect(resolved("//evil.example/settings")).toBe("https://accounts.example.com//evil.example/settings");
    expect(resolved("/api/v1\\org")).toBe("https://accounts.example.com/api/v1/org");
  });

  it("refuses a target that is not a path", () => {
    expect(resolved("http://evil.example/settings")).toBe("refused: the request target must be a path starting with /");
    expect(resolved("*")).toBe("refused: the request target must be a path starting with /");
  });
});
