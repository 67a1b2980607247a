import { sql, type Kysely } from "kysely";

// Outbound events (docs/events.md, ADR 0018). A change writes one
// outbound_event row in its own transaction; the worker expands it into one
// webhook_delivery per subscribed endpoint, in committed batches, and delivers
// those with the outbox discipline of email (SKIP LOCKED, claim token, lease).
// An endpoint with no org is the instance's (the vendor's apps).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("webhook_endpoint")
    .addColumn("id", "uuid", (col) => col.primaryKey())
    .addColumn("org_id", "uuid", (col) => col.references("org.id").onDelete("cascade"))
    .addColumn("url", "text", (col) => col.notNull())
    .addColumn("description", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("event_types", sql`text[]`, (col) => col.notNull())
    // whsec_… secrets, encrypted (they must be read back to sign).
    .addColumn("secret_ciphertext", "text", (col) => col.notNull())
    .addColumn("previous_secret_ciphertext", "text")
    .addColumn("previous_secret_expires_at", "timestamptz")
    .addColumn("created_by", "uuid", (col) => col.references("user.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("disabled_at", "timestamptz")
    .addColumn("disabled_reason", "text")
    .addColumn("failure_streak", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("failing_since", "timestamptz")
    .execute();
  await sql`create index webhook_endpoint_org_idx on webhook_endpoint (org_id)`.execute(db);

  await db.schema
    .createTable("outbound_event")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("type", "text", (col) => col.notNull())
    // No foreign keys: org.deleted and user.deleted outlive what they name.
    .addColumn("org_id", "uuid")
    .addColumn("subject_user_id", "uuid")
    // The exact bytes that are signed and sent, the same on every attempt.
    .addColumn("body", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("fanned_out_at", "timestamptz")
    .execute();
  await sql`create index outbound_event_fanout_idx on outbound_event (created_at) where fanned_out_at is null`.execute(db);
  await sql`create index outbound_event_subject_idx on outbound_event (subject_user_id, type) where subject_user_id is not null`.execute(db);
  await sql`create index outbound_event_created_idx on outbound_event (created_at)`.execute(db);

  await db.schema
    .createTable("webhook_delivery")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("event_id", "uuid", (col) => col.notNull().references("outbound_event.id").onDelete("cascade"))
    .addColumn("endpoint_id", "uuid", (col) => col.notNull().references("webhook_endpoint.id").onDelete("cascade"))
    .addColumn("status", "text", (col) => col.notNull().defaultTo("pending"))
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("claim_token", "uuid")
    .addColumn("locked_until", "timestamptz")
    .addColumn("last_attempt_at", "timestamptz")
    .addColumn("last_status_code", "integer")
    .addColumn("last_duration_ms", "integer")
    .addColumn("last_error", "text")
    .addColumn("delivered_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("webhook_delivery_event_endpoint_key", ["event_id", "endpoint_id"])
    .execute();
  await sql`create index webhook_delivery_due_idx on webhook_delivery (next_attempt_at) where status in ('pending', 'sending')`.execute(db);
  await sql`create index webhook_delivery_endpoint_idx on webhook_delivery (endpoint_id, created_at desc)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("webhook_delivery").execute();
  await db.schema.dropTable("outbound_event").execute();
  await db.schema.dropTable("webhook_endpoint").execute();
}
