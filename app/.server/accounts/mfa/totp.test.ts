import { describe, expect, it } from "vitest";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { formatTotpKey, generateTotpKey, matchTotpStep, totpCodeAt, totpKeyUri, totpQrSvg, totpStep } from "./totp";

// RFC 6238 appendix B's SHA-1 seed ("12345678901234567890"), 6-digit codes.
const RFC_KEY = new TextEncoder().encode("12345678901234567890");
const at = (seconds: number) => new Date(seconds * 1000);

describe("TOTP", () => {
  it("computes the RFC 6238 test vectors", () => {
    expect(totpCodeAt(RFC_KEY, at(59))).toBe("287082");
    expect(totpCodeAt(RFC_KEY, at(1111111109))).toBe("081804");
    expect(totpCodeAt(RFC_KEY, at(1234567890))).toBe("005924");
  });

  it("accepts the code of the step before and after (drift), not two steps away", () => {
    const now = at(1_800_000_015);
    const step = totpStep(now);
    expect(matchTotpStep(RFC_KEY, totpCodeAt(RFC_KEY, now), now, null)).toBe(step);
    expect(matchTotpStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1_800_000_015 - 30)), now, null)).toBe(step - 1n);
    expect(matchTotpStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1_800_000_015 + 30)), now, null)).toBe(step + 1n);
    expect(matchTotpStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1_800_000_015 - 60)), now, null)).toBeNull();
    expect(matchTotpStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1_800_000_015 + 60)), now, null)).toBeNull();
  });

  it("refuses a code whose step was already used, and any older one (replay)", () => {
    const now = at(1_800_000_015);
    const code = totpCodeAt(RFC_KEY, now);
    const step = matchTotpStep(RFC_KEY, code, now, null)!;
    expect(matchTotpStep(RFC_KEY, code, now, step)).toBeNull();
    // Ten seconds later, still the same step: the same code stays refused.
    expect(matchTotpStep(RFC_KEY, code, at(1_800_000_025), step)).toBeNull();
    expect(matchTotpStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1_800_000_015 - 30)), now, step)).toBeNull();
    // The next step's code is new, and accepted.
    expect(matchTotpStep(RFC_KEY, totpCodeAt(RFC_KEY, at(1_800_000_045)), at(1_800_000_045), step)).toBe(step + 1n);
  });

  it("refuses codes of the wrong shape", () => {
    const now = at(1_800_000_015);
    const code = totpCodeAt(RFC_KEY, now);
    for (const typed of [code.slice(0, 5), `${code}0`, code.repeat(3).slice(0, 20), "abcdef", "", ` ${code}`]) {
      expect(matchTotpStep(RFC_KEY, typed, now, null)).toBeNull();
    }
  });

  it("gives a key an app can type and a QR code that carries the otpauth URI", () => {
    const key = generateTotpKey();
    expect(key.byteLength).toBe(20);
    const formatted = formatTotpKey(key);
    expect(decodeBase32IgnorePadding(formatted.replace(/ /g, ""))).toEqual(key);
    const uri = totpKeyUri("Gatehouse", "ada@example.com", key);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Gatehouse:ada%40example\.com\?/);
    expect(uri).toContain("digits=6");
    expect(uri).toContain("period=30");
    expect(totpQrSvg(uri)).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });
});
