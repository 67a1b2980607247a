// LemonSqueezy signs each webhook with X-Signature: the hex HMAC-SHA256 of the
// raw body under the store's signing secret. We compare in constant time, and
// check the header's shape first: timingSafeEqual throws on buffers of
// different lengths, and a missing or short header must be a 401, not a 500.
import { createHmac, timingSafeEqual } from "node:crypto";

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export function signBody(body: Uint8Array | string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

export function verifySignature(body: Uint8Array, header: string | null, secret: string): boolean {
  if (!header) return false;
  const given = header.trim();
  if (!HEX_SHA256.test(given)) return false;
  const expected = createHmac("sha256", secret).update(body).digest();
  const received = Buffer.from(given, "hex");
  return received.length === expected.length && timingSafeEqual(received, expected);
}
