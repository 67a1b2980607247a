// Token-signing keys (and the keys that sign the provider's own cookies):
// generated once, stored encrypted with the secrets key, never in plain text.
// Rotation adds a new signing key and retires the old one: a retired key is
// still published in the JWKS (so tokens it signed keep verifying) until every
// token it could have signed has expired, then it is deleted.
import { randomBytes, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair, type JWK } from "jose";
import { sql } from "kysely";
import type { Database } from "../db";
import { decryptSecret, encryptSecret } from "../secrets";

/** The longest-lived token a key signs is an ID token or access token (1 hour); a day is ample. */
export const RETIRED_KEY_KEPT_MS = 24 * 60 * 60 * 1000;
const SIGNING_ALG = "RS256"; // OpenID Connect's mandatory-to-implement algorithm

const context = (kid: string) => `oidc-key:${kid}`;

async function newSigningKey(): Promise<{ kid: string; material: string }> {
  const kid = randomUUID();
  const { privateKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG, use: "sig" };
  return { kid, material: JSON.stringify(jwk) };
}

async function insertKey(db: Database, purpose: "signing" | "cookie", kid: string, material: string): Promise<void> {
  await db.insertInto("oidc_key").values({ kid, purpose, encrypted_material: encryptSecret(material, context(kid)) }).execute();
}

/** Makes the first signing key and cookie key if there are none (safe with several replicas starting at once). */
export async function ensureOidcKeys(db: Database): Promise<void> {
  await db.transaction().execute(async (tx) => {
    // One starter at a time; the others then see the keys it made.
    await lockKeys(tx);
    const existing = await tx.selectFrom("oidc_key").select(["purpose"]).where("retired_at", "is", null).execute();
    if (!existing.some((key) => key.purpose === "signing")) {
      const key = await newSigningKey();
      await insertKey(tx, "signing", key.kid, key.material);
    }
    if (!existing.some((key) => key.purpose === "cookie")) {
      await insertKey(tx, "cookie", randomUUID(), randomBytes(32).toString("base64url"));
    }
  });
}

async function lockKeys(db: Database): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('gatehouse:oidc-keys'))`.execute(db);
}

export type OidcKeys = { signing: JWK[]; cookies: string[] };

/** The public halves of every signing key still verifying, for the JWKS endpoint. */
export async function publicSigningKeys(db: Database, now = new Date()): Promise<JWK[]> {
  const { signing } = await loadOidcKeys(db, now);
  return signing.map(({ kty, kid, alg, use, n, e, crv, x, y }) => Object.fromEntries(Object.entries({ kty, kid, alg, use, n, e, crv, x, y }).filter(([, value]) => value !== undefined)) as JWK);
}

/** Current signing key first (it signs), then retired ones still verifying; cookie keys likewise. */
export async function loadOidcKeys(db: Database, now = new Date()): Promise<OidcKeys> {
  const rows = await db
    .selectFrom("oidc_key")
    .select(["kid", "purpose", "encrypted_material", "retired_at"])
    .where((eb) => eb.or([eb("retired_at", "is", null), eb("retired_at", ">", new Date(now.getTime() - RETIRED_KEY_KEPT_MS))]))
    .orderBy(({ fn }) => fn.coalesce("retired_at", "created_at"), "desc")
    .orderBy("created_at", "desc")
    .execute();
  const current = rows.filter((row) => row.retired_at === null);
  const retired = rows.filter((row) => row.retired_at !== null);
  const ordered = [...current, ...retired];
  return {
    signing: ordered.filter((row) => row.purpose === "signing").map((row) => JSON.parse(decryptSecret(row.encrypted_material, context(row.kid))) as JWK),
    cookies: ordered.filter((row) => row.purpose === "cookie").map((row) => decryptSecret(row.encrypted_material, context(row.kid))),
  };
}

/** `npm run admin:rotate-keys`: a new signing key signs from the next start; the old one keeps verifying for a day. */
export async function rotateSigningKey(db: Database, now = new Date()): Promise<{ newKid: string; retiredKids: string[]; deletedKids: string[] }> {
  const key = await newSigningKey();
  return db.transaction().execute(async (tx) => {
    await lockKeys(tx);
    const retired = await tx.updateTable("oidc_key").set({ retired_at: now }).where("purpose", "=", "signing").where("retired_at", "is", null).returning("kid").execute();
    const deleted = await tx.deleteFrom("oidc_key").where("retired_at", "<=", new Date(now.getTime() - RETIRED_KEY_KEPT_MS)).returning("kid").execute();
    await insertKey(tx, "signing", key.kid, key.material);
    return { newKid: key.kid, retiredKids: retired.map((row) => row.kid), deletedKids: deleted.map((row) => row.kid) };
  });
}
