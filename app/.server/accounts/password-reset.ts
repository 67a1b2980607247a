// Recovery by email. The request answers the same for every address; only real
// accounts get a link. The link is single-use and lasts 30 minutes; using it
// ends every session of the account and tells the owner.
import type { Database } from "../db";
import { getBrand, publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { renderEmail } from "../email/render";
import { hashPassword } from "../password";
import { revokeAllOidcGrants } from "../identity/grants";
import { invalidateUserSessions } from "../session";
import { generateSecret, hashToken } from "../tokens";
import { cancelPendingEmailChange } from "./verification";

export const RESET_TTL_MINUTES = 30;

export async function requestPasswordReset(db: Database, email: string, now = new Date()): Promise<void> {
  const token = generateSecret();
  const props = { resetUrl: publicLink(`/reset-password/${token}`), expiresInMinutes: RESET_TTL_MINUTES };
  const user = await db.selectFrom("user").select(["id", "name"]).where("email", "=", email).executeTakeFirst();
  if (!user) {
    // Do the same rendering work a real request does, so timing tells nothing.
    await renderEmail("password-reset", props, getBrand());
    return;
  }
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto("password_reset")
      .values({ token_hash: hashToken(token), user_id: user.id, expires_at: new Date(now.getTime() + RESET_TTL_MINUTES * 60_000), created_at: now })
      .execute();
    await queueEmail(tx, { to: email, toName: user.name, template: "password-reset", props }, { now });
  });
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
