import { sql, type Kysely } from "kysely";

// The email outbox: a message is a row written in the same transaction as the
// change that causes it; the delivery worker claims due rows with
// FOR UPDATE SKIP LOCKED. `id` doubles as Resend's Idempotency-Key and the SMTP
// Message-ID, so a retry after a crash is recognised as the same message.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("outbox_email")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("template", "text", (col) => col.notNull())
    .addColumn("to_address", "text", (col) => col.notNull())
    .addColumn("to_name", "text")
    .addColumn("subject", "text", (col) => col.notNull())
    // Bodies can carry single-use links; they are cleared once the message is sent.
    .addColumn("html", "text")
    .addColumn("text_body", "text")
    .addColumn("status", "text", (col) => col.notNull().defaultTo("queued").check(sql`status in ('queued', 'sending', 'sent', 'failed')`))
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (col) => col.notNull())
    .addColumn("next_attempt_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    // Which pass holds the message, and until when (see app/.server/email/delivery.ts).
    .addColumn("claim_token", "uuid")
    .addColumn("locked_until", "timestamptz")
    .addColumn("last_error", "text")
    .addColumn("provider_message_id", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("sent_at", "timestamptz")
    .execute();
  await sql`create index outbox_email_due_idx on outbox_email (next_attempt_at) where status in ('queued', 'sending')`.execute(db);
  await db.schema.createIndex("outbox_email_created_at_idx").on("outbox_email").column("created_at").execute();
  await db.schema.createIndex("outbox_email_to_address_idx").on("outbox_email").column("to_address").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("outbox_email").execute();
}
