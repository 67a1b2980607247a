import { describe, expect, it } from "vitest";
import { checkCsrf } from "./csrf";

const publicOrigin = "https://accounts.example.com";
const post = (headers: { secFetchSite?: string; origin?: string }, path = "/settings") =>
  checkCsrf({ method: "POST", path, publicOrigin, secFetchSite: headers.secFetchSite, origin: headers.origin });

describe("checkCsrf", () => {
  it("lets safe methods through without headers", () => {
    for (const method of ["GET", "HEAD", "OPTIONS"]) {
      expect(checkCsrf({ method, path: "/", publicOrigin, secFetchSite: undefined, origin: undefined }).ok).toBe(true);
    }
  });

  it("accepts a same-origin form post", () => {
    expect(post({ secFetchSite: "same-origin", origin: publicOrigin }).ok).toBe(true);
  });

  it("refuses cross-site and same-site posts even with a matching Origin", () => {
    expect(post({ secFetchSite: "cross-site", origin: publicOrigin }).ok).toBe(false);
    expect(post({ secFetchSite: "same-site", origin: publicOrigin }).ok).toBe(false);
    expect(post({ secFetchSite: "none" }).ok).toBe(false);
  });

  it("falls back to Origin when Sec-Fetch-Site is absent", () => {
    expect(post({ origin: publicOrigin }).ok).toBe(true);
    expect(post({ origin: "https://evil.example" }).ok).toBe(false);
    expect(post({ origin: "https://accounts.example.com.evil.example" }).ok).toBe(false);
  });

  it("fails closed with neither header, or Origin: null", () => {
    expect(post({})).toEqual({ ok: false, reason: "no Origin or Sec-Fetch-Site header" });
    expect(post({ origin: "null" }).ok).toBe(false);
  });

  it("refuses every unsafe method, not only POST", () => {
    for (const method of ["PUT", "PATCH", "DELETE", "post"]) {
      expect(checkCsrf({ method, path: "/x", publicOrigin, secFetchSite: undefined, origin: undefined }).ok).toBe(false);
    }
  });

  it("exempts webhooks and the bearer-key API, and nothing that merely looks like them", () => {
    expect(post({}, "/webhooks/lemonsqueezy").ok).toBe(true);
    expect(post({}, "/api/v1/audit-events").ok).toBe(true);
    expect(post({}, "/api/v2/audit-events").ok).toBe(false);
    expect(post({}, "/webhooksx").ok).toBe(false);
  });
});
