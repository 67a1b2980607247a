// What a signed-in user changes about their own account from Settings.
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { hashPassword } from "../password";
import { consumeRateLimit } from "../rate-limit";
import { invalidateUserSessions } from "../session";
import { verifyCurrentPassword } from "./current-password";
import { cancelPendingEmailChange, startVerification, verifyCodeWithinAllowance, type VerifyResult } from "./verification";
import { userUpdated } from "../events/domain-events";

// A code goes out per request; without a limit on requests, each new code
// brought ten more guesses with it.
export const EMAIL_CHANGE_REQUEST_LIMIT = { limit: 5, windowSeconds: 3600 };
// Guesses at email-change codes, per account, whichever code they are for:
// asking for a new code does not start the count again.
export const EMAIL_CHANGE_CODE_LIMIT = { limit: 10, windowSeconds: 3600 };

type Throttled = { ok: false; reason: "throttled"; retryAfterSeconds: number };

export async function updateName(db: Database, userId: string, name: string | null, now = new Date()): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable("user").set({ name, updated_at: now }).where("id", "=", userId).execute();
    await userUpdated(tx, userId, ["name"], now);
  });
}

export async function changePassword(
  db: Database,
  input: { userId: string; sessionId: string; currentPassword: string; newPassword: string; endOtherSessions: boolean; ip: string | null },
  now = new Date(),
): Promise<{ ok: true; endedSessions: number } | { ok: false; reason: "wrong-password" } | Throttled> {
  const check = await verifyCurrentPassword(db, { id: input.userId }, input.currentPassword, input.ip, now);
  if (!check.ok) return check;
  const passwordHash = await hashPassword(input.newPassword);
  return db.transaction().execute(async (tx) => {
    const user = await tx
      .updateTable("user")
      .set({ password_hash: passwordHash, updated_at: now })
      .where("id", "=", input.userId)
      .returning(["email", "name"])
      .executeTakeFirstOrThrow();
    const endedSessions = input.endOtherSessions ? await invalidateUserSessions(tx, input.userId, input.sessionId) : 0;
    // Someone who knew the old password may have asked to move the account to
    // their address; a new password cancels that (the owner can ask again).
    await cancelPendingEmailChange(tx, input.userId);
    await queueEmail(tx, { to: user.email, toName: user.name, template: "password-changed", props: { how: "settings", resetUrl: publicLink("/forgot-password") } }, { now });
    return { ok: true as const, endedSessions };
  });
}

/**
 * Starts moving the account to a new address: a code goes to the new address,
 * a notice to the old one. Nothing changes until the code comes back. Whether
 * the new address belongs to someone else is only checked then, so this step
 * does not reveal it.
 */
export async function requestEmailChange(
  db: Database,
  input: { userId: string; password: string; newEmail: string; ip: string | null },
  now = new Date(),
): Promise<{ ok: true } | { ok: false; reason: "wrong-password" | "same-email" } | Throttled | { ok: false; reason: "too-many-requests"; retryAfterSeconds: number }> {
  const check = await verifyCurrentPassword(db, { id: input.userId }, input.password, input.ip, now);
  if (!check.ok) return check;
  // Counted once the password is right: a typo in it is the login limit's business.
  const allowance = await consumeRateLimit(db, `email-change:request:${input.userId}`, EMAIL_CHANGE_REQUEST_LIMIT, now);
  if (!allowance.allowed) return { ok: false, reason: "too-many-requests", retryAfterSeconds: allowance.retryAfterSeconds };
  return db.transaction().execute(async (tx) => {
    const user = await tx.selectFrom("user").select(["id", "email", "name"]).where("id", "=", input.userId).executeTakeFirstOrThrow();
    if (user.email === input.newEmail) return { ok: false as const, reason: "same-email" as const };
    await startVerification(tx, user, "email-change", input.newEmail, now);
    await queueEmail(tx, { to: user.email, toName: user.name, template: "email-change-notice", props: { newEmail: input.newEmail, settingsUrl: publicLink("/settings") } }, { now });
    return { ok: true as const };
  });
}

/**
 * Checks a typed email-change code. Each code dies after 10 wrong tries
 * (verification.ts), and the account's tries across all its codes are counted
 * too, every try right or wrong, before the code is looked at.
 */
export async function confirmEmailChange(db: Database, userId: string, code: string, now = new Date()): Promise<VerifyResult | Throttled> {
  return verifyCodeWithinAllowance(db, userId, "email-change", code, EMAIL_CHANGE_CODE_LIMIT, now);
}
