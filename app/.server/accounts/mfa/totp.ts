// TOTP as RFC 6238 and every authenticator app expect it: SHA-1, 6 digits,
// 30-second steps. A code from the step before or after is accepted (clocks
// drift, people type slowly); a step already used is not (replay).
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { renderSVG } from "uqr";

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps either side of now that still count. */
export const TOTP_DRIFT_STEPS = 1;

/** 160 bits, the size RFC 4226 recommends for SHA-1. */
export function generateTotpKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(20));
}

export function totpStep(now: Date): bigint {
  return BigInt(Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS));
}

/** The code for `now` (tests compute it the way an app would). */
export function totpCodeAt(key: Uint8Array, now: Date): string {
  return generateHOTP(key, totpStep(now), TOTP_DIGITS);
}

/**
 * The step whose code `code` is, within the drift window and after
 * `lastUsedStep`, or null. Every candidate is compared, in constant time, so
 * the answer takes as long whichever step matched.
 */
export function matchTotpStep(key: Uint8Array, code: string, now: Date, lastUsedStep: bigint | null): bigint | null {
  const current = totpStep(now);
  const typed = new TextEncoder().encode(code);
  let matched: bigint | null = null;
  for (let offset = -TOTP_DRIFT_STEPS; offset <= TOTP_DRIFT_STEPS; offset++) {
    const step = current + BigInt(offset);
    const expected = new TextEncoder().encode(generateHOTP(key, step, TOTP_DIGITS));
    if (expected.byteLength === typed.byteLength && constantTimeEqual(expected, typed) && matched === null) matched = step;
  }
  if (matched === null) return null;
  return lastUsedStep !== null && matched <= lastUsedStep ? null : matched;
}

/** What the person types into an app that cannot scan: the key in base32, in groups of four. */
export function formatTotpKey(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key).replace(/(.{4})(?=.)/g, "$1 ");
}

export function totpKeyUri(issuer: string, accountName: string, key: Uint8Array): string {
  return createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The otpauth:// URI as an SVG QR code, drawn here: the secret never goes to a third-party service. */
export function totpQrSvg(uri: string): string {
  return renderSVG(uri, { border: 2, ecc: "M", pixelSize: 5 });
}
