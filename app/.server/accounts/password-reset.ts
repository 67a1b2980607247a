// Recovery by email. The request answers the same for every address, in the
// same time (the work is deferred to the worker); only real accounts get a
// link. The link is single-use and lasts 30 minutes; using it ends every
// session of the account and tells the owner.
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { hashPassword } from "../password";
import { revokeAllOidcGrants } from "../identity/grants";
import { invalidateUserSessions } from "../session";
import { generateSecret, hashToken } from "../tokens";
import { deferAccountWork } from "./deferred-work";
import { cancelPendingEmailChange } from "./verification";

export const RESET_TTL_MINUTES = 30;

/**
 * Asks for a reset link. The request itself only queues the ask (one insert,
 * whether or not the address has an account), so its answer takes the same
 * time either way; the worker sends the link, if there is an account.
 */
export async function requestPasswordReset(db: Database, email: string, now = new Date(), ip: string | null = null): Promise<void> {
  await deferAccountWork(db, { kind: "password-reset", email, ip, at: now });
}

/** The worker's half of requestPasswordReset: a token and its email, for a real account only. */
export async function issuePasswordReset(tx: Database, email: string, requestedAt: Date, now = new Date()): Promise<void> {
  const expiresAt = new Date(requestedAt.getTime() + RESET_TTL_MINUTES * 60_000);
  // Asked so long ago (the worker was down) that the link would arrive dead.
  if (expiresAt <= now) return;
  const user = await tx.selectFrom("user").select(["id", "name"]).where("email", "=", email).executeTakeFirst();
  if (!user) return;
  const token = generateSecret();
  await tx.insertInto("password_reset").values({ token_hash: hashToken(token), user_id: user.id, expires_at: expiresAt, created_at: requestedAt }).execute();
  const props = { resetUrl: publicLink(`/reset-password/${token}`), expiresInMinutes: RESET_TTL_MINUTES };
  await queueEmail(tx, { to: email, toName: user.name, template: "password-reset", props }, { now: requestedAt });
}

/** The account a reset link belongs to, if the link is still good. Does not use it up. */
export async function findResetTarget(db: Database, token: string, now = new Date()): Promise<{ userId: string } | null> {
  if (!token || token.length > 100) return null;
  const row = await db
    .selectFrom("password_reset")
    .select("user_id")
    .where("token_hash", "=", hashToken(token))
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return row ? { userId: row.user_id } : null;
}

export async function resetPassword(db: Database, token: string, newPassword: string, now = new Date()): Promise<{ ok: boolean }> {
  const passwordHash = await hashPassword(newPassword);
  return db.transaction().execute(async (tx) => {
    // Claiming the token and checking it are one statement: two tabs racing with
    // the same link cannot both succeed.
    const claimed = await tx
      .updateTable("password_reset")
      .set({ used_at: now })
      .where("token_hash", "=", hashToken(token))
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .returning("user_id")
      .executeTakeFirst();
    if (!claimed) return { ok: false };
    const user = await tx
      .updateTable("user")
      // Following the link proved the address, so an unverified account is now verified.
      .set((eb) => ({ password_hash: passwordHash, updated_at: now, email_verified_at: eb.fn.coalesce("email_verified_at", eb.val(now)) }))
      .where("id", "=", claimed.user_id)
      .returning(["email", "name"])
      .executeTakeFirstOrThrow();
    await tx.deleteFrom("password_reset").where("user_id", "=", claimed.user_id).where("used_at", "is", null).execute();
    // A pending move to another address may be the attacker's: the reset cancels it.
    await cancelPendingEmailChange(tx, claimed.user_id);
    await invalidateUserSessions(tx, claimed.user_id);
    await revokeAllOidcGrants(tx, claimed.user_id);
    await queueEmail(tx, { to: user.email, toName: user.name, template: "password-changed", props: { how: "reset", resetUrl: publicLink("/forgot-password") } }, { now });
    return { ok: true };
  });
}
