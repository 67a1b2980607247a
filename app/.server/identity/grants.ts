// Apps and devices signed in as a person (/settings/apps), and ending them.
// Revoking deletes the grant with every code and token issued under it, so a
// refresh token stops working at its next use; JWT access tokens already
// issued live out their hour (their expiry is the bound, see docs/oidc.md).
import { sql } from "kysely";
import type { Database } from "../db";

export type UserAuthorization = {
  grantId: string;
  appName: string;
  clientId: string;
  scopes: string[];
  device: { hostname: string | null; os: string | null; cliVersion: string | null; ip: string | null } | null;
  firstUsedAt: Date;
  lastUsedAt: Date;
};

export async function listUserAuthorizations(db: Database, userId: string, now = new Date()): Promise<UserAuthorization[]> {
  const rows = await db
    .selectFrom("oidc_payload as grant")
    .innerJoin("oauth_app", "oauth_app.client_id", "grant.client_id")
    .select((eb) => [
      "grant.id",
      "grant.payload",
      "grant.details",
      "grant.created_at",
      "oauth_app.name",
      "oauth_app.client_id",
      eb
        .selectFrom("oidc_payload as token")
        .select(sql<Date>`max(token.updated_at)`.as("last"))
        .whereRef("token.grant_id", "=", "grant.id")
        .where("token.kind", "in", ["AccessToken", "RefreshToken"])
        .as("last_token_at"),
    ])
    .where("grant.kind", "=", "Grant")
    .where("grant.account_id", "=", userId)
    .where((eb) => eb.or([eb("grant.expires_at", "is", null), eb("grant.expires_at", ">", now)]))
    .orderBy("grant.created_at", "desc")
    .execute();
  return rows.map((row) => {
    const openid = (row.payload as { openid?: { scope?: string } }).openid;
    const details = row.details as { hostname?: string | null; os?: string | null; cliVersion?: string | null; ip?: string | null } | null;
    const lastToken = row.last_token_at ? new Date(row.last_token_at) : null;
    return {
      grantId: row.id,
      appName: row.name,
      clientId: row.client_id,
      scopes: (openid?.scope ?? "").split(" ").filter(Boolean),
      device: details ? { hostname: details.hostname ?? null, os: details.os ?? null, cliVersion: details.cliVersion ?? null, ip: details.ip ?? null } : null,
      firstUsedAt: row.created_at,
      lastUsedAt: lastToken && lastToken > row.created_at ? lastToken : row.created_at,
    };
  });
}

/** Ends one grant of this person (another person's grant id matches nothing). */
export async function revokeUserAuthorization(db: Database, userId: string, grantId: string): Promise<boolean> {
  const grant = await db.deleteFrom("oidc_payload").where("kind", "=", "Grant").where("id", "=", grantId).where("account_id", "=", userId).executeTakeFirst();
  if (grant.numDeletedRows === 0n) return false;
  await db.deleteFrom("oidc_payload").where("grant_id", "=", grantId).execute();
  return true;
}

/**
 * Every grant, code, token and provider session of a person, gone at once.
 * Called where access must end everywhere: account deletion (and an
 * operator's erase), password reset, "sign out everywhere".
 */
export async function revokeAllOidcGrants(db: Database, userId: string): Promise<number> {
  const grants = db.selectFrom("oidc_payload").select("id").where("kind", "=", "Grant").where("account_id", "=", userId);
  const result = await db
    .deleteFrom("oidc_payload")
    .where((eb) => eb.or([eb("account_id", "=", userId), eb("grant_id", "in", grants)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
