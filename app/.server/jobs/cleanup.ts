// Periodic clean-up of rows that have expired: rate-limit windows, sessions,
// and single-use tokens nobody used. Run by one process at a time.
import type { Database } from "../db";
import { deleteExpiredRateLimits } from "../rate-limit";
import { deleteExpiredSessions } from "../session";

export async function deleteExpiredRows(db: Database, now = new Date()) {
  const rateLimits = await deleteExpiredRateLimits(db, now);
  const sessions = await deleteExpiredSessions(db, now);
  const verifications = await db.deleteFrom("email_verification").where("expires_at", "<=", now).executeTakeFirst();
  const resets = await db.deleteFrom("password_reset").where("expires_at", "<=", now).executeTakeFirst();
  const invitations = await db.deleteFrom("signup_invitation").where("expires_at", "<=", now).executeTakeFirst();
  return {
    rateLimits,
    sessions,
    verifications: Number(verifications.numDeletedRows),
    resets: Number(resets.numDeletedRows),
    invitations: Number(invitations.numDeletedRows),
  };
}
