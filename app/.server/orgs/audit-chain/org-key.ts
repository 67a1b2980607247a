// Each org's chain key: 32 random bytes, stored encrypted with SECRETS_KEY
// (app/.server/secrets), so a copy of the database alone cannot compute a
// commitment (and so cannot test a guessed email against an erased one, or
// forge an event). Opened keys are kept in memory: appends are frequent.
import { randomBytes } from "node:crypto";
import { decryptSecret, encryptSecret, needsReencryption } from "../../secrets";

const context = (orgId: string) => `audit-chain:${orgId}`;
const opened = new Map<string, Buffer>();
const MAX_OPENED = 10_000;

export function newSealedOrgKey(orgId: string): string {
  return encryptSecret(randomBytes(32).toString("base64"), context(orgId));
}

/** The org's key from its sealed form; throws SecretDecryptionError when SECRETS_KEY lacks the key that sealed it. */
export function openOrgKey(orgId: string, sealed: string): Buffer {
  const cacheKey = `${orgId}:${sealed}`;
  let key = opened.get(cacheKey);
  if (!key) {
    key = Buffer.from(decryptSecret(sealed, context(orgId)), "base64");
    if (opened.size >= MAX_OPENED) opened.clear();
    opened.set(cacheKey, key);
  }
  return key;
}

/** The same key sealed again under the current SECRETS_KEY, or null when it already is (rotation: docs/audit.md). */
export function resealedOrgKey(orgId: string, sealed: string): string | null {
  return needsReencryption(sealed) ? encryptSecret(openOrgKey(orgId, sealed).toString("base64"), context(orgId)) : null;
}
