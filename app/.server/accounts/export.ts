// "Download my data": everything stored about one person, as plain JSON.
// Only what is theirs or what they already see: no ids, hashes or tokens, no
// other members of their orgs, no message bodies. Each section names its table
// so the list can be checked against db/schema.ts when a table is added.
import { sql } from "kysely";
import type { Database } from "../db";
import { exportMfaFactors } from "./mfa/factors";

export const EXPORT_FORMAT = "gatehouse-export/1";

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export async function exportUserData(db: Database, userId: string, now = new Date()) {
  // One snapshot, so the sections agree with each other.
  return db
    .transaction()
    .setIsolationLevel("repeatable read")
    .setAccessMode("read only")
    .execute((tx) => readUserData(tx, userId, now));
}

async function readUserData(db: Database, userId: string, now: Date) {
  const user = await db
    .selectFrom("user")
    .select(["email", "name", "created_at", "email_verified_at", "is_operator", "deletion_requested_at", "purge_after"])
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();

  const [sessions, memberships, invitationsSent, invitationsReceived, waitlist, auditEvents, emails, dismissals] = await Promise.all([
    db
      .selectFrom("session")
      .select(["created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
      .where("user_id", "=", userId)
      .orderBy("created_at")
      .execute(),
    db
      .selectFrom("membership")
      .innerJoin("org", "org.id", "membership.org_id")
      .select(["org.name", "org.slug", "membership.role", "membership.created_at"])
      .where("membership.user_id", "=", userId)
      .orderBy("membership.created_at")
      .execute(),
    // The addresses here are ones this person typed in themselves.
    db
      .selectFrom("org_invitation")
      .innerJoin("org", "org.id", "org_invitation.org_id")
      .select(["org.name", "org.slug", "org_invitation.email", "org_invitation.role", "org_invitation.created_at", "org_invitation.expires_at", "org_invitation.accepted_at", "org_invitation.revoked_at"])
      .where("org_invitation.invited_by", "=", userId)
      .orderBy("org_invitation.created_at")
      .execute(),
    // Invitations to their address: stored about them, and they got the email. Who sent it is left out.
    db
      .selectFrom("org_invitation")
      .innerJoin("org", "org.id", "org_invitation.org_id")
      .select(["org.name", "org.slug", "org_invitation.role", "org_invitation.created_at", "org_invitation.expires_at", "org_invitation.accepted_at", "org_invitation.revoked_at"])
      .where("org_invitation.email", "=", user.email)
      .orderBy("org_invitation.created_at")
      .execute(),
    db
      .selectFrom("waitlist_entry")
      .select(["email", "name", "company", "ip", "user_agent", "created_at", "confirmed_at", "invited_at"])
      .where("email", "=", user.email)
      .executeTakeFirst(),
    db
      .selectFrom("audit_event")
      .innerJoin("org", "org.id", "audit_event.org_id")
      .select(["org.slug", "audit_event.action", "audit_event.target", "audit_event.ip", "audit_event.created_at"])
      .where("audit_event.actor_id", "=", userId)
      .orderBy("audit_event.id")
      .execute(),
    db
      .selectFrom("outbox_email")
      .select(["template", "subject", "status", "created_at", "sent_at"])
      .where(sql<string>`lower(to_address)`, "=", user.email.toLowerCase())
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("notice_dismissal")
      .innerJoin("notice", "notice.id", "notice_dismissal.notice_id")
      .select(["notice.title", "notice_dismissal.dismissed_at"])
      .where("notice_dismissal.user_id", "=", userId)
      .orderBy("notice_dismissal.dismissed_at")
      .execute(),
  ]);

  // Tables totp_factor, recovery_code, passkey: which factors exist, never a secret.
  const twoFactor = await exportMfaFactors(db, userId);

  return {
    format: EXPORT_FORMAT,
    exported_at: now.toISOString(),
    profile: {
      email: user.email,
      name: user.name,
      created_at: iso(user.created_at),
      email_verified_at: iso(user.email_verified_at),
      is_operator: user.is_operator,
      deletion_requested_at: iso(user.deletion_requested_at),
      purge_after: iso(user.purge_after),
    },
    sessions: sessions.map((s) => ({ created_at: iso(s.created_at), last_seen_at: iso(s.last_seen_at), expires_at: iso(s.expires_at), ip: s.ip, user_agent: s.user_agent })),
    memberships: memberships.map((m) => ({ org_name: m.name, org_slug: m.slug, role: m.role, joined_at: iso(m.created_at) })),
    invitations_sent: invitationsSent.map((i) => ({
      org_name: i.name,
      org_slug: i.slug,
      email: i.email,
      role: i.role,
      created_at: iso(i.created_at),
      expires_at: iso(i.expires_at),
      accepted_at: iso(i.accepted_at),
      revoked_at: iso(i.revoked_at),
    })),
    invitations_received: invitationsReceived.map((i) => ({
      org_name: i.name,
      org_slug: i.slug,
      role: i.role,
      created_at: iso(i.created_at),
      expires_at: iso(i.expires_at),
      accepted_at: iso(i.accepted_at),
      revoked_at: iso(i.revoked_at),
    })),
    waitlist_entry: waitlist
      ? {
          email: waitlist.email,
          name: waitlist.name,
          company: waitlist.company,
          ip: waitlist.ip,
          user_agent: waitlist.user_agent,
          joined_at: iso(waitlist.created_at),
          confirmed_at: iso(waitlist.confirmed_at),
          invited_at: iso(waitlist.invited_at),
        }
      : null,
    audit_events: auditEvents.map((e) => ({ org_slug: e.slug, action: e.action, target: e.target, ip: e.ip, created_at: iso(e.created_at) })),
    emails: emails.map((e) => ({ template: e.template, subject: e.subject, status: e.status, created_at: iso(e.created_at), sent_at: iso(e.sent_at) })),
    notices_dismissed: dismissals.map((d) => ({ title: d.title, dismissed_at: iso(d.dismissed_at) })),
    two_factor: twoFactor,
  };
}

export type UserExport = Awaited<ReturnType<typeof readUserData>>;
