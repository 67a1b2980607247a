import { describe, expect, it } from "vitest";
import { safeRelayState, samlServiceProviderUrls } from "./urls";

const PUBLIC_URL = new URL("https://accounts.example.com");

describe("samlServiceProviderUrls", () => {
  it("puts metadata (our entity id), ACS and login under /sso/saml/:id on PUBLIC_URL", () => {
    expect(samlServiceProviderUrls("c0ffee00-0000-4000-8000-000000000000", PUBLIC_URL)).toEqual({
      entityId: "https://accounts.example.com/sso/saml/c0ffee00-0000-4000-8000-000000000000/metadata",
      metadataUrl: "https://accounts.example.com/sso/saml/c0ffee00-0000-4000-8000-000000000000/metadata",
      acsUrl: "https://accounts.example.com/sso/saml/c0ffee00-0000-4000-8000-000000000000/acs",
      loginUrl: "https://accounts.example.com/sso/saml/c0ffee00-0000-4000-8000-000000000000/login",
    });
  });
});

describe("safeRelayState", () => {
  it("keeps our own paths, and reduces our own absolute URLs to their path", () => {
    expect(safeRelayState("/orgs/acme?tab=members#top", PUBLIC_URL)).toBe("/orgs/acme?tab=members#top");
    expect(safeRelayState("https://accounts.example.com/home", PUBLIC_URL)).toBe("/home");
    expect(safeRelayState("/a/../settings", PUBLIC_URL)).toBe("/settings");
  });

  it("refuses anything that could leave the site", () => {
    for (const value of [
      "https://evil.example/",
      "http://accounts.example.com/home", // another scheme is another origin
      "https://accounts.example.com.evil.example/",
      "https://accounts.example.com@evil.example/",
      "//evil.example/x",
      "/\\evil.example",
      "\\\\evil.example",
      "/\t/evil.example",
      "javascript:alert(1)",
      "data:text/html,hi",
      "home",
      "",
      "   ",
      "/" + "a".repeat(2000),
      42,
      null,
      undefined,
    ]) {
      expect(safeRelayState(value, PUBLIC_URL), String(value)).toBe(null);
    }
  });
});
