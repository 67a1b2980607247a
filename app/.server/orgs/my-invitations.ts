// The invitations waiting for a person, for their home page. Only the hash of
// an invitation's token is stored, so the page can list them but the link to
// accept stays the one in the email (which also proves the address).
import type { Database } from "../db";

export async function listInvitationsForEmail(db: Database, email: string, now = new Date()) {
  return db
    .selectFrom("org_invitation")
    .innerJoin("org", "org.id", "org_invitation.org_id")
    .leftJoin("user as inviter", "inviter.id", "org_invitation.invited_by")
    .select(["org_invitation.id", "org_invitation.role", "org_invitation.expires_at", "org.name as orgName", "inviter.name as inviterName", "inviter.email as inviterEmail"])
    .where("org_invitation.email", "=", email)
    .where("org_invitation.accepted_at", "is", null)
    .where("org_invitation.revoked_at", "is", null)
    .where("org_invitation.expires_at", ">", now)
    .orderBy("org_invitation.created_at", "desc")
    .limit(20)
    .execute();
}
