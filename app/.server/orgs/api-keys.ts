// Org API keys for the vendor's CLI and servers. A key is shown once: "gk_"
// followed by 32 random base32 characters (recognisable to secret scanners).
// We keep its SHA-256 and a visible prefix; revoking is immediate.
import type { Database } from "../db";
import { generateSecret, hashToken } from "../tokens";
import { recordAuditEvent, type Actor } from "./audit";
import { assertCanCreateApiKey } from "./entitlements";
import { apiKeyExpiry } from "./security-policy/check";

export const KEY_PREFIX = "gk_";
const LAST_USED_GRANULARITY_MS = 60_000;

export async function createApiKey(db: Database, input: { orgId: string; name: string; actor: Actor & { userId: string }; ip: string | null }, now = new Date()) {
  // Team and Enterprise only, and never on a read-only org (a 403 that says why).
  await assertCanCreateApiKey(db, input.orgId, now);
  const key = `${KEY_PREFIX}${generateSecret(20)}`;
  const prefix = key.slice(0, KEY_PREFIX.length + 8);
  // The org's security policy may cap how long a key lives.
  const expiresAt = await apiKeyExpiry(db, input.orgId, now);
  return db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto("api_key")
      .values({ org_id: input.orgId, name: input.name, prefix, secret_hash: hashToken(key), created_by: input.actor.userId, created_at: now, expires_at: expiresAt })
      .returning("id")
      .executeTakeFirstOrThrow();
    await recordAuditEvent(tx, { orgId: input.orgId, actor: input.actor, action: "api_key.created", target: `${prefix}… (${input.name})`, ip: input.ip, at: now });
    return { id: row.id, key, prefix, expiresAt };
  });
}

export async function listApiKeys(db: Database, orgId: string) {
  return db
    .selectFrom("api_key")
    .leftJoin("user", "user.id", "api_key.created_by")
    .select(["api_key.id", "api_key.name", "api_key.prefix", "api_key.created_at", "api_key.last_used_at", "api_key.revoked_at", "api_key.expires_at", "user.email as creator"])
    .where("api_key.org_id", "=", orgId)
    .orderBy("api_key.created_at", "desc")
    .execute();
}

export async function revokeApiKey(db: Database, input: { orgId: string; keyId: string; actor: Actor; ip: string | null }, now = new Date()): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (tx) => {
    const revoked = await tx
      .updateTable("api_key")
      .set({ revoked_at: now })
      .where("id", "=", input.keyId)
      .where("org_id", "=", input.orgId)
      .where("revoked_at", "is", null)
      .returning(["prefix", "name"])
      .executeTakeFirst();
    if (!revoked) return { ok: false };
    await recordAuditEvent(tx, { orgId: input.orgId, actor: input.actor, action: "api_key.revoked", target: `${revoked.prefix}… (${revoked.name})`, ip: input.ip, at: now });
    return { ok: true };
  });
}

export type ApiKeyPrincipal = { keyId: string; orgId: string; label: string };

/** The org a bearer key belongs to, or null for an unknown, revoked or expired key. */
export async function authenticateApiKey(db: Database, key: string, ip: string | null, now = new Date()): Promise<ApiKeyPrincipal | null> {
  if (!key.startsWith(KEY_PREFIX) || key.length > 100) return null;
  const row = await db
    .selectFrom("api_key")
    .select(["id", "org_id", "prefix", "name", "last_used_at"])
    .where("secret_hash", "=", hashToken(key))
    .where("revoked_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]))
    .executeTakeFirst();
  if (!row) return null;
  const label = `API key ${row.prefix}… (${row.name})`;
  // Recording use costs a write; once a minute per key is precise enough.
  if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_GRANULARITY_MS) {
    await db.transaction().execute(async (tx) => {
      const first = await tx
        .updateTable("api_key")
        .set({ last_used_at: now })
        .where("id", "=", row.id)
        .where("last_used_at", "is", null)
        .executeTakeFirst();
      if (first.numUpdatedRows > 0n) {
        await recordAuditEvent(tx, { orgId: row.org_id, actor: { userId: null, label }, action: "api_key.first_used", target: `${row.prefix}…`, ip, at: now });
      } else {
        await tx.updateTable("api_key").set({ last_used_at: now }).where("id", "=", row.id).execute();
      }
    });
  }
  return { keyId: row.id, orgId: row.org_id, label };
}
