// Sessions as Lucia's maintainers now publish them (docs/decisions/0002): the
// cookie holds "<id>.<secret>", the database holds the id and SHA-256(secret).
// Expiry slides 30 days from last use, but never past 90 days from sign-in.
import { sql } from "kysely";
import type { SessionAuthMethod } from "../../db/schema";
import type { Database } from "./db";
import { generateSecret, hashesEqual, hashToken } from "./tokens";
import { deleteInBatches } from "./jobs/batched-delete";

const DAY = 24 * 60 * 60 * 1000;
export const SESSION_IDLE_MS = 30 * DAY;
export const SESSION_ABSOLUTE_MS = 90 * DAY;
/** Activity is written at most this often per session, to keep reads cheap. */
export const SESSION_TOUCH_MS = 5 * 60 * 1000;

export type SessionUser = { id: string; email: string; name: string | null; emailVerified: boolean; isOperator: boolean; deletionPending: boolean };
/** authenticatedAt: the last time the holder proved who they are (sign-in or step-up). */
export type ValidSession = {
  id: string;
  user: SessionUser;
  expiresAt: Date;
  authMethod: SessionAuthMethod;
  authenticatedAt: Date;
  /** The SSO connection the session was made through, if any. */
  ssoConnectionId: string | null;
  /** For an SSO session: the IdP asserted MFA. */
  ssoMfaAsserted: boolean;
};
export type ClientInfo = { ip: string | null; userAgent: string | null };

/**
 * Limits the org security policies put on a new session (the strictest of the
 * user's orgs, see orgs/security-policy/): an earlier absolute end than
 * SESSION_ABSOLUTE_MS, a shorter idle timeout than SESSION_IDLE_MS.
 */
export type SessionLimits = { maxLifetimeMs: number | null; idleTimeoutMs: number | null };
export type SessionOptions = { limits?: SessionLimits; ssoConnectionId?: string | null; ssoMfaAsserted?: boolean };

/** How often activity is written: every 5 minutes, or more often under a short idle timeout. */
const touchInterval = (idleMs: number) => Math.min(SESSION_TOUCH_MS, Math.floor(idleMs / 4));

export async function createSession(
  db: Database,
  userId: string,
  client: ClientInfo,
  now = new Date(),
  authMethod: SessionAuthMethod = "password",
  options: SessionOptions = {},
): Promise<{ token: string; expiresAt: Date }> {
  const id = generateSecret();
  const secret = generateSecret();
  const idleMs = Math.min(SESSION_IDLE_MS, options.limits?.idleTimeoutMs ?? SESSION_IDLE_MS);
  const absoluteMs = Math.min(SESSION_ABSOLUTE_MS, options.limits?.maxLifetimeMs ?? SESSION_ABSOLUTE_MS);
  const expiresAt = new Date(now.getTime() + Math.min(idleMs, absoluteMs));
  await db
    .insertInto("session")
    .values({
      id,
      secret_hash: hashToken(secret),
      user_id: userId,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      absolute_expires_at: new Date(now.getTime() + absoluteMs),
      ip: client.ip,
      user_agent: client.userAgent?.slice(0, 500) ?? null,
      auth_method: authMethod,
      authenticated_at: now,
      idle_timeout_seconds: options.limits?.idleTimeoutMs ? Math.round(idleMs / 1000) : null,
      sso_connection_id: options.ssoConnectionId ?? null,
      sso_mfa_asserted: options.ssoMfaAsserted ?? false,
    })
    .execute();
  return { token: `${id}.${secret}`, expiresAt };
}

export async function validateSessionToken(db: Database, token: string, client: ClientInfo, now = new Date()): Promise<ValidSession | null> {
  const [id, secret, ...rest] = token.split(".");
  if (!id || !secret || rest.length > 0 || id.length > 64 || secret.length > 64) return null;

  const row = await db
    .selectFrom("session")
    .innerJoin("user", "user.id", "session.user_id")
    .select([
      "session.id",
      "session.secret_hash",
      "session.last_seen_at",
      "session.expires_at",
      "session.absolute_expires_at",
      "session.created_at",
      "session.auth_method",
      "session.authenticated_at",
      "session.idle_timeout_seconds",
      "session.sso_connection_id",
      "session.sso_mfa_asserted",
      "user.id as user_id",
      "user.email",
      "user.name",
      "user.email_verified_at",
      "user.is_operator",
      "user.deletion_requested_at",
    ])
    .where("session.id", "=", id)
    .executeTakeFirst();
  if (!row || !hashesEqual(hashToken(secret), row.secret_hash)) return null;

  if (now >= row.expires_at || now >= row.absolute_expires_at) {
    await db.deleteFrom("session").where("id", "=", id).execute();
    return null;
  }

  let expiresAt = row.expires_at;
  const idleMs = row.idle_timeout_seconds ? row.idle_timeout_seconds * 1000 : SESSION_IDLE_MS;
  if (now.getTime() - row.last_seen_at.getTime() >= touchInterval(idleMs)) {
    expiresAt = new Date(Math.min(now.getTime() + idleMs, row.absolute_expires_at.getTime()));
    await db
      .updateTable("session")
      .set({ last_seen_at: now, expires_at: expiresAt, ip: client.ip, user_agent: client.userAgent?.slice(0, 500) ?? null })
      .where("id", "=", id)
      .execute();
  }
  return {
    id,
    expiresAt,
    authMethod: row.auth_method,
    authenticatedAt: row.authenticated_at ?? row.created_at,
    ssoConnectionId: row.sso_connection_id,
    ssoMfaAsserted: row.sso_mfa_asserted,
    user: {
      id: row.user_id,
      email: row.email,
      name: row.name,
      emailVerified: row.email_verified_at !== null,
      isOperator: row.is_operator,
      deletionPending: row.deletion_requested_at !== null,
    },
  };
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await db.deleteFrom("session").where("id", "=", sessionId).execute();
}

/** Ends every session of a user, or every one but `keepSessionId`. */
export async function invalidateUserSessions(db: Database, userId: string, keepSessionId?: string): Promise<number> {
  let query = db.deleteFrom("session").where("user_id", "=", userId);
  if (keepSessionId) query = query.where("id", "!=", keepSessionId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function listUserSessions(db: Database, userId: string, now = new Date()) {
  return db
    .selectFrom("session")
    .select(["id", "created_at", "last_seen_at", "ip", "user_agent", "auth_method"])
    .where("user_id", "=", userId)
    .where("expires_at", ">", now)
    .orderBy("last_seen_at", "desc")
    .execute();
}

/** Records a fresh proof of identity on this session (step-up re-authentication). */
export async function markSessionReauthenticated(db: Database, sessionId: string, now = new Date()): Promise<void> {
  await db.updateTable("session").set({ authenticated_at: now }).where("id", "=", sessionId).execute();
}

export async function deleteExpiredSessions(db: Database, now = new Date()): Promise<number> {
  // expires_at never passes absolute_expires_at (a touch slides it up to that
  // cap, no further), so it alone says a session is over, and it is indexed.
  return deleteInBatches(db, "session", sql`expires_at <= ${now}`);
}

/**
 * A password-only session that just proved a newly added second factor (it was
 * entered in this session) counts from now on as signed in with it — for the
 * orgs that require two-factor (orgs/security-policy/).
 */
export async function markSessionSecondFactor(db: Database, session: ValidSession, method: "password+totp" | "password+passkey"): Promise<void> {
  if (session.authMethod !== "password" || session.ssoConnectionId) return;
  await db.updateTable("session").set({ auth_method: method }).where("id", "=", session.id).where("auth_method", "=", "password").execute();
}
