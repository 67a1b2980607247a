// Secrets that go out in cookies, links and emails. Only their SHA-256 hash is
// stored, and hashes are compared in constant time.
import { randomInt } from "node:crypto";
import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

/** A random string with `bytes * 8` bits of entropy (default 160), safe in URLs and cookies. */
export function generateSecret(bytes = 20): string {
  const random = new Uint8Array(bytes);
  crypto.getRandomValues(random);
  return encodeBase32LowerCaseNoPadding(random);
}

/** A uniformly random numeric code, e.g. "04821937", for people to type. */
export function generateCode(digits = 8): string {
  return String(randomInt(0, 10 ** digits)).padStart(digits, "0");
}

export function hashToken(token: string): Uint8Array {
  return sha256(new TextEncoder().encode(token));
}

export function hashesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && constantTimeEqual(a, b);
}
