// What a signed-in user changes about their own account from Settings.
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { hashPassword, verifyPassword } from "../password";
import { invalidateUserSessions } from "../session";
import { cancelPendingEmailChange, startVerification } from "./verification";

export async function updateName(db: Database, userId: string, name: string | null, now = new Date()): Promise<void> {
  await db.updateTable("user").set({ name, updated_at: now }).where("id", "=", userId).execute();
}

async function passwordMatches(db: Database, userId: string, password: string): Promise<boolean> {
  const row = await db.selectFrom("user").select("password_hash").where("id", "=", userId).executeTakeFirstOrThrow();
  return verifyPassword(row.password_hash, password);
}

export async function changePassword(
  db: Database,
  input: { userId: string; sessionId: string; currentPassword: string; newPassword: string; endOtherSessions: boolean },
  now = new Date(),
): Promise<{ ok: true; endedSessions: number } | { ok: false; reason: "wrong-password" }> {
  if (!(await passwordMatches(db, input.userId, input.currentPassword))) return { ok: false, reason: "wrong-password" };
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
  input: { userId: string; password: string; newEmail: string },
  now = new Date(),
): Promise<{ ok: true } | { ok: false; reason: "wrong-password" | "same-email" }> {
  if (!(await passwordMatches(db, input.userId, input.password))) return { ok: false, reason: "wrong-password" };
  return db.transaction().execute(async (tx) => {
    const user = await tx.selectFrom("user").select(["id", "email", "name"]).where("id", "=", input.userId).executeTakeFirstOrThrow();
    if (user.email === input.newEmail) return { ok: false as const, reason: "same-email" as const };
    await startVerification(tx, user, "email-change", input.newEmail, now);
    await queueEmail(tx, { to: user.email, toName: user.name, template: "email-change-notice", props: { newEmail: input.newEmail, settingsUrl: publicLink("/settings") } }, { now });
    return { ok: true as const };
  });
}
