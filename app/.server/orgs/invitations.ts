// Inviting people into an org. The token is hashed, single-use, expires in 7
// days and is bound to the invited email; the role comes from the invitation
// row, never from the accepting form.
import type { OrgRole } from "../../../db/schema";
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { hashPassword } from "../password";
import { generateSecret, hashToken } from "../tokens";
import { recordAuditEvent, type Actor } from "./audit";
import { canGrant } from "../../utils/roles";
import { hasFreeSeat, lockOrg } from "./orgs";
import { applySessionLimitsOfUser } from "./security-policy/session-limits";
import { checkInvitationDomain } from "./security-policy/check";

export const INVITATION_DAYS = 7;

type Inviter = { orgId: string; orgName: string; actor: Actor & { userId: string }; actorRole: OrgRole; ip: string | null };

// Thrown inside a transaction to undo it: the new token must not replace the
// one in the invitee's inbox when the new email cannot be sent.
class EmailLimitReached extends Error {}

async function sendInvitation(tx: Database, invitation: { id: string; email: string; role: OrgRole }, inviter: Inviter, now: Date) {
  const token = generateSecret();
  await tx
    .updateTable("org_invitation")
    .set({ token_hash: hashToken(token), expires_at: new Date(now.getTime() + INVITATION_DAYS * 86_400_000) })
    .where("id", "=", invitation.id)
    .execute();
  const queued = await queueEmail(
    tx,
    {
      to: invitation.email,
      template: "org-invitation",
      props: { orgName: inviter.orgName, inviterLabel: inviter.actor.label, role: invitation.role, acceptUrl: publicLink(`/invite/${token}`), expiresInDays: INVITATION_DAYS },
    },
    { now },
  );
  if (!queued.queued) throw new EmailLimitReached();
}

async function undoIfEmailLimit<T>(run: () => Promise<T>, failure: T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof EmailLimitReached) return failure;
    throw error;
  }
}

export type InviteResult = { ok: true } | { ok: false; reason: "forbidden-role" | "already-member" | "no-seats" | "email-limit" } | { ok: false; reason: "domain-not-allowed"; message: string };

export async function inviteMember(db: Database, inviter: Inviter, input: { email: string; role: OrgRole }, now = new Date()): Promise<InviteResult> {
  if (!canGrant(inviter.actorRole, input.role)) return { ok: false, reason: "forbidden-role" };
  // The org's allowed email domains (security policy); checked again when the invitation is accepted.
  const domain = await checkInvitationDomain(db, inviter.orgId, input.email);
  if (!domain.ok) return { ok: false, reason: "domain-not-allowed", message: domain.message };
  return undoIfEmailLimit<InviteResult>(() => db.transaction().execute(async (tx) => {
    const org = await lockOrg(tx, inviter.orgId, now);
    const member = await tx
      .selectFrom("membership")
      .innerJoin("user", "user.id", "membership.user_id")
      .select("user.id")
      .where("membership.org_id", "=", inviter.orgId)
      .where("user.email", "=", input.email)
      .executeTakeFirst();
    if (member) return { ok: false as const, reason: "already-member" as const };
    // The pending invitation to this same address is about to be replaced, so it holds no seat.
    // A read-only org (its subscription paused, unpaid or over) has no seat to give.
    if (org?.readOnly || !(await hasFreeSeat(tx, inviter.orgId, org?.seat_limit ?? null, now, true, input.email))) return { ok: false as const, reason: "no-seats" as const };
    // A new invitation to the same address replaces the pending one.
    await tx.updateTable("org_invitation").set({ revoked_at: now }).where("org_id", "=", inviter.orgId).where("email", "=", input.email).where("accepted_at", "is", null).where("revoked_at", "is", null).execute();
    const invitation = await tx
      .insertInto("org_invitation")
      .values({ org_id: inviter.orgId, email: input.email, role: input.role, token_hash: hashToken(generateSecret()), invited_by: inviter.actor.userId, expires_at: now, created_at: now })
      .returning(["id", "email", "role"])
      .executeTakeFirstOrThrow();
    await sendInvitation(tx, invitation, inviter, now);
    await recordAuditEvent(tx, { orgId: inviter.orgId, actor: inviter.actor, action: "member.invited", target: input.email, ip: inviter.ip, metadata: { role: input.role }, at: now });
    return { ok: true as const };
  }), { ok: false, reason: "email-limit" });
}

function pending(db: Database, orgId: string, now: Date) {
  return db
    .selectFrom("org_invitation")
    .where("org_id", "=", orgId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now);
}

export async function listPendingInvitations(db: Database, orgId: string, now = new Date()) {
  return pending(db, orgId, now).select(["id", "email", "role", "created_at", "expires_at"]).orderBy("created_at", "desc").execute();
}

/** Resend or revoke one of this org's pending invitations; another org's id is simply not found. */
export async function resendInvitation(db: Database, inviter: Inviter, invitationId: string, now = new Date()): Promise<{ ok: boolean; reason?: "email-limit" }> {
  return undoIfEmailLimit<{ ok: boolean; reason?: "email-limit" }>(() => db.transaction().execute(async (tx) => {
    const invitation = await pending(tx, inviter.orgId, now).select(["id", "email", "role"]).where("id", "=", invitationId).executeTakeFirst();
    if (!invitation || !canGrant(inviter.actorRole, invitation.role)) return { ok: false };
    await sendInvitation(tx, invitation, inviter, now);
    await recordAuditEvent(tx, { orgId: inviter.orgId, actor: inviter.actor, action: "member.invitation_resent", target: invitation.email, ip: inviter.ip, at: now });
    return { ok: true };
  }), { ok: false, reason: "email-limit" });
}

export async function revokeInvitation(db: Database, inviter: Inviter, invitationId: string, now = new Date()): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (tx) => {
    const revoked = await tx
      .updateTable("org_invitation")
      .set({ revoked_at: now })
      .where("id", "=", invitationId)
      .where("org_id", "=", inviter.orgId)
      .where("accepted_at", "is", null)
      .where("revoked_at", "is", null)
      .returning("email")
      .executeTakeFirst();
    if (!revoked) return { ok: false };
    await recordAuditEvent(tx, { orgId: inviter.orgId, actor: inviter.actor, action: "member.invitation_revoked", target: revoked.email, ip: inviter.ip, at: now });
    return { ok: true };
  });
}

export async function findInvitation(db: Database, token: string, now = new Date()) {
  if (!token || token.length > 100) return null;
  const row = await db
    .selectFrom("org_invitation")
    .innerJoin("org", "org.id", "org_invitation.org_id")
    .select(["org_invitation.id", "org_invitation.email", "org_invitation.role", "org.id as orgId", "org.name as orgName", "org.slug as orgSlug"])
    .where("org_invitation.token_hash", "=", hashToken(token))
    .where("org_invitation.accepted_at", "is", null)
    .where("org_invitation.revoked_at", "is", null)
    .where("org_invitation.expires_at", ">", now)
    // An org scheduled to go with its last member takes no one in meanwhile; its
    // invitations work again if that member cancels the deletion.
    .where("org.purge_after", "is", null)
    .executeTakeFirst();
  return row ?? null;
}

export type AcceptResult = { ok: true; orgSlug: string } | { ok: false; reason: "invalid" | "wrong-account" | "no-seats" } | { ok: false; reason: "domain-not-allowed"; message: string };

async function acceptInTransaction(db: Database, token: string, user: { id: string; email: string }, ip: string | null, now = new Date()): Promise<AcceptResult> {
  return db.transaction().execute(async (tx) => {
    const invitation = await findInvitation(tx, token, now);
    if (!invitation) return { ok: false as const, reason: "invalid" as const };
    if (invitation.email !== user.email) return { ok: false as const, reason: "wrong-account" as const };
    // The allowed domains may have narrowed since the invitation went out.
    const domain = await checkInvitationDomain(tx, invitation.orgId, invitation.email);
    if (!domain.ok) return { ok: false as const, reason: "domain-not-allowed" as const, message: domain.message };
    const org = await lockOrg(tx, invitation.orgId, now);
    const claimed = await tx.updateTable("org_invitation").set({ accepted_at: now }).where("id", "=", invitation.id).where("accepted_at", "is", null).executeTakeFirst();
    if (claimed.numUpdatedRows === 0n) return { ok: false as const, reason: "invalid" as const };
    const alreadyMember = await tx.selectFrom("membership").select("role").where("org_id", "=", invitation.orgId).where("user_id", "=", user.id).executeTakeFirst();
    if (!alreadyMember) {
      if (org?.readOnly || !(await hasFreeSeat(tx, invitation.orgId, org?.seat_limit ?? null, now, false))) return rollbackWith("no-seats");
      await tx.insertInto("membership").values({ org_id: invitation.orgId, user_id: user.id, role: invitation.role, created_at: now }).execute();
      await recordAuditEvent(tx, { orgId: invitation.orgId, actor: { userId: user.id, label: user.email }, action: "member.joined", target: user.email, ip, metadata: { role: invitation.role }, at: now });
      // The new org's session lifetime and idle timeout apply to the sessions the person already has.
      await applySessionLimitsOfUser(tx, user.id);
    }
    return { ok: true as const, orgSlug: invitation.orgSlug };
  });
}

// Throwing rolls the transaction back (the invitation stays usable); the
// caller turns the marker back into a result.
class AcceptRollback extends Error {
  constructor(readonly reason: "no-seats") {
    super(reason);
  }
}
function rollbackWith(reason: "no-seats"): never {
  throw new AcceptRollback(reason);
}

/** Accepts as the signed-in user, whose email must be the invited one. */
export async function acceptInvitation(db: Database, token: string, user: { id: string; email: string }, ip: string | null, now = new Date()): Promise<AcceptResult> {
  try {
    return await acceptInTransaction(db, token, user, ip, now);
  } catch (error) {
    if (error instanceof AcceptRollback) return { ok: false, reason: error.reason };
    throw error;
  }
}

export type SignupFromInvitationResult =
  | { ok: true; userId: string; orgSlug: string }
  | { ok: false; reason: "invalid" | "account-exists" | "no-seats" }
  | { ok: false; reason: "domain-not-allowed"; message: string };

/**
 * A new person signs up from the invitation link: the link proves the address,
 * so the account starts verified and joins the org in one go.
 */
export async function signUpFromInvitation(db: Database, token: string, input: { password: string; name: string | null }, ip: string | null, now = new Date()): Promise<SignupFromInvitationResult> {
  const invitation = await findInvitation(db, token, now);
  if (!invitation) return { ok: false, reason: "invalid" };
  const domain = await checkInvitationDomain(db, invitation.orgId, invitation.email);
  if (!domain.ok) return { ok: false, reason: "domain-not-allowed", message: domain.message };
  const passwordHash = await hashPassword(input.password);
  const created = await db
    .insertInto("user")
    .values({ email: invitation.email, password_hash: passwordHash, name: input.name, email_verified_at: now, created_at: now, updated_at: now })
    .onConflict((oc) => oc.column("email").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (!created) return { ok: false, reason: "account-exists" };
  const accepted = await acceptInvitation(db, token, { id: created.id, email: invitation.email }, ip, now);
  if (!accepted.ok) {
    await db.deleteFrom("user").where("id", "=", created.id).execute();
    if (accepted.reason === "domain-not-allowed") return accepted;
    return { ok: false, reason: accepted.reason === "no-seats" ? "no-seats" : "invalid" };
  }
  return { ok: true, userId: created.id, orgSlug: accepted.orgSlug };
}
