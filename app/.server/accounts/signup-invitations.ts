// Invite-only signup: an invitation lets one email address create an account,
// and proves that address (the link was delivered to it), so the account starts
// verified. The operator CLI creates them now; the waitlist and org invitations
// will too.
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { generateSecret, hashToken } from "../tokens";

export const SIGNUP_INVITATION_DAYS = 14;

export async function createSignupInvitation(tx: Database, email: string, source: string, now = new Date()): Promise<{ queued: boolean }> {
  const token = generateSecret();
  await tx
    .insertInto("signup_invitation")
    .values({ email, token_hash: hashToken(token), source, expires_at: new Date(now.getTime() + SIGNUP_INVITATION_DAYS * 86_400_000), created_at: now })
    .execute();
  const result = await queueEmail(
    tx,
    { to: email, template: "signup-invitation", props: { signupUrl: publicLink(`/signup?invitation=${token}`), expiresInDays: SIGNUP_INVITATION_DAYS } },
    { now },
  );
  return { queued: result.queued };
}

export async function findValidInvitation(db: Database, token: string, now = new Date()): Promise<{ id: string; email: string } | null> {
  if (!token || token.length > 100) return null;
  const row = await db
    .selectFrom("signup_invitation")
    .select(["id", "email"])
    .where("token_hash", "=", hashToken(token))
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return row ?? null;
}

/** Marks the invitation used; false when another signup used it first. */
export async function consumeInvitation(tx: Database, invitationId: string, now = new Date()): Promise<boolean> {
  const result = await tx
    .updateTable("signup_invitation")
    .set({ used_at: now })
    .where("id", "=", invitationId)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
