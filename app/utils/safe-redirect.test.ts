import { describe, expect, it } from "vitest";
import { safeRedirect } from "./safe-redirect";

describe("safeRedirect", () => {
  it("keeps same-origin paths with their query and fragment", () => {
    expect(safeRedirect("/settings")).toBe("/settings");
    expect(safeRedirect("/settings?tab=1#x")).toBe("/settings?tab=1#x");
    expect(safeRedirect("/orgs/acme/audit?q=100%25&path=a%5Cb")).toBe("/orgs/acme/audit?q=100%25&path=a%5Cb");
  });

  it("falls back for anything that could leave the origin", () => {
    for (const to of [
      "//evil.test",
      "/\\evil.test",
      "/%2F%2Fevil.test",
      "/%2f%2fevil.test",
      "%2F%2Fevil.test",
      "/%5Cevil.test",
      "/%255Cevil.test",
      "/%25252F%25252Fevil.test",
      "////evil.test",
      "/.//evil.test",
      "/x/../..//evil.test",
      "https://evil.test",
      "javascript:alert(1)",
      "\t//evil.test",
      "/\t/evil.test",
      "/\n/evil.test",
      " /x",
      "/\u200B/evil.test",
      "/%E0%A4%A",
      "evil.test",
      "",
    ]) {
      expect(safeRedirect(to), JSON.stringify(to)).toBe("/");
    }
  });

  it("falls back for missing or non-text values", () => {
    expect(safeRedirect(null)).toBe("/");
    expect(safeRedirect(undefined)).toBe("/");
    expect(safeRedirect(new File(["/settings"], "redirect.txt"))).toBe("/");
  });

  it("uses the given fallback", () => {
    expect(safeRedirect("//evil.test", "/dashboard")).toBe("/dashboard");
  });
});
