// The half-signed-in state: the password was right, the second factor has not
// come yet. A short-lived row, not a session: its token rides in the session
// cookie (the one cookie we set) as "mfa.<id>.<secret>", a shape the session
// lookup never accepts, so no page but /login/2fa treats its holder as anyone.
import { sql } from "kysely";
import type { Database } from "../../db";
import { generateSecret, hashesEqual, hashToken } from "../../tokens";
import { deleteInBatches } from "../../jobs/batched-delete";

export const PENDING_SIGN_IN_TTL_MS = 5 * 60 * 1000;
/** Wrong codes allowed on one half-signed-in record before the password must be typed again. */
export const PENDING_SIGN_IN_MAX_ATTEMPTS = 5;
const PREFIX = "mfa.";

export type PendingSignIn = { id: string; userId: string; email: string; attempts: number };

export async function startPendingSignIn(db: Database, userId: string, now = new Date()): Promise<string> {
  const id = generateSecret();
  const secret = generateSecret();
  await db
    .insertInto("pending_sign_in")
    .values({ id, secret_hash: hashToken(secret), user_id: userId, created_at: now, expires_at: new Date(now.getTime() + PENDING_SIGN_IN_TTL_MS) })
    .execute();
  return `${PREFIX}${id}.${secret}`;
}

export function isPendingSignInToken(token: string | null): token is string {
  return token !== null && token.startsWith(PREFIX);
}

export async function findPendingSignIn(db: Database, token: string | null, now = new Date()): Promise<PendingSignIn | null> {
  if (!isPendingSignInToken(token)) return null;
  const [id, secret, ...rest] = token.slice(PREFIX.length).split(".");
  if (!id || !secret || rest.length > 0 || id.length > 64 || secret.length > 64) return null;
  const row = await db
    .selectFrom("pending_sign_in")
    .innerJoin("user", "user.id", "pending_sign_in.user_id")
    .select(["pending_sign_in.id", "pending_sign_in.secret_hash", "pending_sign_in.user_id", "pending_sign_in.attempts", "pending_sign_in.expires_at", "user.email"])
    .where("pending_sign_in.id", "=", id)
    .executeTakeFirst();
  if (!row || !hashesEqual(hashToken(secret), row.secret_hash)) return null;
  if (now >= row.expires_at || row.attempts >= PENDING_SIGN_IN_MAX_ATTEMPTS) {
    await endPendingSignIn(db, row.id);
    return null;
  }
  return { id: row.id, userId: row.user_id, email: row.email, attempts: row.attempts };
}

/** Counts a wrong code; returns false once the record has used up its attempts (and is gone). */
export async function recordPendingSignInFailure(db: Database, id: string): Promise<boolean> {
  const row = await db.updateTable("pending_sign_in").set((eb) => ({ attempts: eb("attempts", "+", 1) })).where("id", "=", id).returning("attempts").executeTakeFirst();
  if (!row || row.attempts >= PENDING_SIGN_IN_MAX_ATTEMPTS) {
    await endPendingSignIn(db, id);
    return false;
  }
  return true;
}

/** Single use: deleting it is what lets exactly one request turn it into a session. */
export async function endPendingSignIn(db: Database, id: string): Promise<boolean> {
  const result = await db.deleteFrom("pending_sign_in").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function deleteExpiredPendingSignIns(db: Database, now = new Date()): Promise<number> {
  return deleteInBatches(db, "pending_sign_in", sql`expires_at <= ${now}`);
}
