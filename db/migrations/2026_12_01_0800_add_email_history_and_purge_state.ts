import { sql, type Kysely } from "kysely";

// What the purge needs to find everything a person left behind, and to do it in
// small committed batches (docs/decisions/0010-purge-in-committed-batches.md):
// - user_email_history: every address an account ever had (a trigger records
//   each new one, whichever code path sets it), so rows made under an earlier
//   address (waitlist, invitations, outbox, audit targets) are found too. It
//   goes with the account (cascade).
// - purge_found_ip: the IP addresses the purge collects while it anonymises the
//   person's audit events, kept only until that purge finishes.
// - a lease on the user row, so one process at a time works on one purge and a
//   purge left half done by a dead process is picked up again.
// - the indexes the purge's lookups need, so no statement scans a table.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("user_email_history")
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("email", "text", (col) => col.notNull())
    .addColumn("first_used_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("user_email_history_pkey", ["user_id", "email"])
    .execute();
  await sql`
    create function record_user_email() returns trigger language plpgsql as $$
    begin
      insert into user_email_history (user_id, email) values (new.id, new.email) on conflict do nothing;
      return new;
    end $$`.execute(db);
  await sql`create trigger user_email_history_record after insert or update of email on "user" for each row execute function record_user_email()`.execute(db);
  await sql`insert into user_email_history (user_id, email, first_used_at) select id, email, created_at from "user" on conflict do nothing`.execute(db);

  await db.schema
    .createTable("purge_found_ip")
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("ip", "text", (col) => col.notNull())
    .addPrimaryKeyConstraint("purge_found_ip_pkey", ["user_id", "ip"])
    .execute();

  await db.schema.alterTable("user").addColumn("purge_claim_token", "uuid").addColumn("purge_lease_until", "timestamptz").execute();

  await sql`create index if not exists audit_event_ip_idx on audit_event (ip) where ip is not null`.execute(db);
  await sql`create index if not exists audit_event_target_idx on audit_event (target) where target is not null`.execute(db);
  // Only messages not yet sent keep their bodies: the purge reads those for mentions.
  await sql`create index if not exists outbox_email_with_body_idx on outbox_email (id) where html is not null or text_body is not null`.execute(db);
  await sql`create index if not exists webhook_event_with_body_idx on webhook_event (id) where body is not null`.execute(db);
  // ("if not exists": another change may add the same index under the same name.)
  // Deleting the user row sets these references to null (or deletes), which
  // looks each table up by the user's id.
  // Someone else's pending change to one of the person's addresses.
  await db.schema.createIndex("email_verification_email_idx").ifNotExists().on("email_verification").column("email").execute();
  await db.schema.createIndex("org_invitation_invited_by_idx").ifNotExists().on("org_invitation").column("invited_by").execute();
  await db.schema.createIndex("api_key_created_by_idx").ifNotExists().on("api_key").column("created_by").execute();
  await db.schema.createIndex("billing_checkout_created_by_idx").ifNotExists().on("billing_checkout").column("created_by").execute();
  await db.schema.createIndex("notice_created_by_idx").ifNotExists().on("notice").column("created_by").execute();
  await db.schema.createIndex("notice_dismissal_user_id_idx").ifNotExists().on("notice_dismissal").column("user_id").execute();

  // Verification codes used to be in the subject, which stays after sending.
  await sql`update outbox_email set subject = regexp_replace(subject, 'verification code is [0-9]+', 'verification code') where template = 'verify-email' and subject ~ 'verification code is [0-9]+'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ["notice_dismissal_user_id_idx", "notice_created_by_idx", "billing_checkout_created_by_idx", "api_key_created_by_idx", "org_invitation_invited_by_idx", "email_verification_email_idx", "webhook_event_with_body_idx", "outbox_email_with_body_idx", "audit_event_target_idx", "audit_event_ip_idx"]) {
    await db.schema.dropIndex(index).ifExists().execute();
  }
  await db.schema.alterTable("user").dropColumn("purge_lease_until").dropColumn("purge_claim_token").execute();
  await db.schema.dropTable("purge_found_ip").execute();
  await sql`drop trigger user_email_history_record on "user"`.execute(db);
  await sql`drop function record_user_email()`.execute(db);
  await db.schema.dropTable("user_email_history").execute();
}
