// "Download my data": everything stored about one person, as plain JSON.
// Only what is theirs or what they already see: no ids, hashes or tokens, no
// other members of their orgs, no message bodies. Each section names its table
// so the list can be checked against db/schema.ts when a table is added.
//
// The document is written as it is read (exportUserDocument yields text): the
// sections that grow with a person's history (their audit events, their
// emails) are read in batches by keyset cursor, through indexes that match, so
// a person with a million events downloads in flat memory, and no query or
// transaction lasts longer than one batch (docs/scale.md). The sections are
// read one after another rather than in one snapshot: a long-lived
// transaction would hold a connection (the embedded database's only one) for
// as long as the client takes to download.
import { sql } from "kysely";
import type { Database } from "../db";
import { exportMfaFactors } from "./mfa/factors";

export const EXPORT_FORMAT = "gatehouse-export/1";
export const EXPORT_BATCH_SIZE = 2_000;

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The export, as JSON text in pieces: one small object per line inside each section's array. */
export async function* exportUserDocument(db: Database, userId: string, now = new Date(), batchSize = EXPORT_BATCH_SIZE): AsyncGenerator<string> {
  const user = await db
    .selectFrom("user")
    .select(["email", "name", "created_at", "email_verified_at", "is_operator", "deletion_requested_at", "purge_after"])
    .where("id", "=", userId)
    .executeTakeFirstOrThrow();
  const field = (name: string, value: unknown, last = false) => `  ${JSON.stringify(name)}: ${JSON.stringify(value, null, 2).replaceAll("\n", "\n  ")}${last ? "\n" : ",\n"}`;
  async function* array(name: string, batches: AsyncIterable<unknown[]>, last = false) {
    yield `  ${JSON.stringify(name)}: [`;
    let first = true;
    for await (const batch of batches) {
      if (batch.length === 0) continue;
      yield (first ? "\n" : ",\n") + batch.map((item) => `    ${JSON.stringify(item)}`).join(",\n");
      first = false;
    }
    yield `${first ? "" : "\n  "}]${last ? "\n" : ",\n"}`;
  }
  const once = async function* <T>(rows: Promise<T[]>) {
    yield await rows;
  };

  yield "{\n";
  yield field("format", EXPORT_FORMAT);
  yield field("exported_at", now.toISOString());
  yield field("profile", {
    email: user.email,
    name: user.name,
    created_at: iso(user.created_at),
    email_verified_at: iso(user.email_verified_at),
    is_operator: user.is_operator,
    deletion_requested_at: iso(user.deletion_requested_at),
    purge_after: iso(user.purge_after),
  });
  yield* array("sessions", once(sessionsOf(db, userId)));
  yield* array("memberships", once(membershipsOf(db, userId)));
  yield* array("invitations_sent", once(invitationsSentBy(db, userId)));
  yield* array("invitations_received", once(invitationsReceivedAt(db, user.email)));
  yield field("waitlist_entry", await waitlistEntryOf(db, user.email));
  // Tables totp_factor, recovery_code, passkey: which factors exist, never a secret.
  yield field("two_factor", await exportMfaFactors(db, userId));
  yield* array("audit_events", auditEventsBy(db, userId, batchSize));
  yield* array("emails", emailsTo(db, user.email, batchSize));
  yield* array("notices_dismissed", once(dismissalsBy(db, userId)), true);
  yield "}\n";
}

async function sessionsOf(db: Database, userId: string) {
  const rows = await db.selectFrom("session").select(["created_at", "last_seen_at", "expires_at", "ip", "user_agent"]).where("user_id", "=", userId).orderBy("created_at").execute();
  return rows.map((s) => ({ created_at: iso(s.created_at), last_seen_at: iso(s.last_seen_at), expires_at: iso(s.expires_at), ip: s.ip, user_agent: s.user_agent }));
}

async function membershipsOf(db: Database, userId: string) {
  const rows = await db
    .selectFrom("membership")
    .innerJoin("org", "org.id", "membership.org_id")
    .select(["org.name", "org.slug", "membership.role", "membership.created_at"])
    .where("membership.user_id", "=", userId)
    .orderBy("membership.created_at")
    .execute();
  return rows.map((m) => ({ org_name: m.name, org_slug: m.slug, role: m.role, joined_at: iso(m.created_at) }));
}

// The addresses here are ones this person typed in themselves.
async function invitationsSentBy(db: Database, userId: string) {
  const rows = await db
    .selectFrom("org_invitation")
    .innerJoin("org", "org.id", "org_invitation.org_id")
    .select(["org.name", "org.slug", "org_invitation.email", "org_invitation.role", "org_invitation.created_at", "org_invitation.expires_at", "org_invitation.accepted_at", "org_invitation.revoked_at"])
    .where("org_invitation.invited_by", "=", userId)
    .orderBy("org_invitation.created_at")
    .execute();
  return rows.map((i) => ({
    org_name: i.name,
    org_slug: i.slug,
    email: i.email,
    role: i.role,
    created_at: iso(i.created_at),
    expires_at: iso(i.expires_at),
    accepted_at: iso(i.accepted_at),
    revoked_at: iso(i.revoked_at),
  }));
}

// Invitations to their address: stored about them, and they got the email. Who sent it is left out.
async function invitationsReceivedAt(db: Database, email: string) {
  const rows = await db
    .selectFrom("org_invitation")
    .innerJoin("org", "org.id", "org_invitation.org_id")
    .select(["org.name", "org.slug", "org_invitation.role", "org_invitation.created_at", "org_invitation.expires_at", "org_invitation.accepted_at", "org_invitation.revoked_at"])
    .where("org_invitation.email", "=", email)
    .orderBy("org_invitation.created_at")
    .execute();
  return rows.map((i) => ({
    org_name: i.name,
    org_slug: i.slug,
    role: i.role,
    created_at: iso(i.created_at),
    expires_at: iso(i.expires_at),
    accepted_at: iso(i.accepted_at),
    revoked_at: iso(i.revoked_at),
  }));
}

async function waitlistEntryOf(db: Database, email: string) {
  const waitlist = await db
    .selectFrom("waitlist_entry")
    .select(["email", "name", "company", "ip", "user_agent", "created_at", "confirmed_at", "invited_at"])
    .where("email", "=", email)
    .executeTakeFirst();
  if (!waitlist) return null;
  return {
    email: waitlist.email,
    name: waitlist.name,
    company: waitlist.company,
    ip: waitlist.ip,
    user_agent: waitlist.user_agent,
    joined_at: iso(waitlist.created_at),
    confirmed_at: iso(waitlist.confirmed_at),
    invited_at: iso(waitlist.invited_at),
  };
}

/** Their events, oldest first, by (created_at, id) through audit_event_actor_created_at_id_idx. */
async function* auditEventsBy(db: Database, userId: string, batchSize: number) {
  let after: { at: string; id: string } | null = null;
  for (;;) {
    let query = db
      .selectFrom("audit_event")
      .innerJoin("org", "org.id", "audit_event.org_id")
      .select(["audit_event.id", "org.slug", "audit_event.action", "audit_event.target", "audit_event.ip", "audit_event.created_at", sql<string>`audit_event.created_at::text`.as("position")])
      .where("audit_event.actor_id", "=", userId);
    if (after) query = query.where(sql<boolean>`(audit_event.created_at, audit_event.id) > (${after.at}::timestamptz, ${after.id}::bigint)`);
    const rows = await query.orderBy("audit_event.created_at").orderBy("audit_event.id").limit(batchSize).execute();
    yield rows.map((e) => ({ org_slug: e.slug, action: e.action, target: e.target, ip: e.ip, created_at: iso(e.created_at) }));
    if (rows.length < batchSize) return;
    after = { at: rows.at(-1)!.position, id: String(rows.at(-1)!.id) };
  }
}

/** Messages to their address, oldest first, through outbox_email_lower_to_address_idx. */
async function* emailsTo(db: Database, email: string, batchSize: number) {
  const address = email.toLowerCase();
  let after: { at: string; id: string } | null = null;
  for (;;) {
    let query = db
      .selectFrom("outbox_email")
      .select(["id", "template", "subject", "status", "created_at", "sent_at", sql<string>`created_at::text`.as("position")])
      .where(sql<string>`lower(to_address)`, "=", address);
    if (after) query = query.where(sql<boolean>`(created_at, id) > (${after.at}::timestamptz, ${after.id}::uuid)`);
    const rows = await query.orderBy("created_at").orderBy("id").limit(batchSize).execute();
    yield rows.map((e) => ({ template: e.template, subject: e.subject, status: e.status, created_at: iso(e.created_at), sent_at: iso(e.sent_at) }));
    if (rows.length < batchSize) return;
    after = { at: rows.at(-1)!.position, id: rows.at(-1)!.id };
  }
}

async function dismissalsBy(db: Database, userId: string) {
  const rows = await db
    .selectFrom("notice_dismissal")
    .innerJoin("notice", "notice.id", "notice_dismissal.notice_id")
    .select(["notice.title", "notice_dismissal.dismissed_at"])
    .where("notice_dismissal.user_id", "=", userId)
    .orderBy("notice_dismissal.dismissed_at")
    .execute();
  return rows.map((d) => ({ title: d.title, dismissed_at: iso(d.dismissed_at) }));
}
