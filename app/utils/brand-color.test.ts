import { describe, expect, it } from "vitest";
import { brandPalette, brandStylesheet, contrastRatio, parseHexColor } from "./brand-color";

const rgb = (hex: string) => parseHexColor(hex)!;

describe("brandPalette", () => {
  it.each(["#4338ca", "#ffff00", "#ffffff", "#000000", "#22c55e", "#f0f"])("gives readable accents in both themes for %s", (colour) => {
    const { light, dark } = brandPalette(colour);
    expect(contrastRatio(rgb(light.accent), rgb("#ffffff"))).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(rgb(dark.accent), rgb("#121826"))).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(rgb(light.text), rgb(light.accent))).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(rgb(dark.text), rgb(dark.accent))).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(rgb(light.onSoft), rgb(light.soft))).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(rgb(dark.onSoft), rgb(dark.soft))).toBeGreaterThanOrEqual(4.5);
  });

  it("keeps a colour that is already readable", () => {
    expect(brandPalette("#1d4ed8").light.accent).toBe("#1d4ed8");
  });

  it("falls back to the default for a malformed colour instead of writing it into CSS", () => {
    expect(brandStylesheet("red; } body { display: none")).not.toContain("display");
  });
});
