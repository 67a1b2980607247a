import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("waitlist_entry")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("email", "text", (col) => col.notNull().unique()) // normalized, see app/utils/email-address.ts
    .addColumn("name", "text")
    .addColumn("company", "text")
    // Kept for abuse checks: from the trusted-proxy rule, never a raw header.
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .addColumn("confirm_token_hash", "bytea", (col) => col.unique())
    .addColumn("confirm_expires_at", "timestamptz")
    .addColumn("confirmation_sent_at", "timestamptz")
    .addColumn("confirmed_at", "timestamptz")
    .addColumn("invited_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("waitlist_entry_created_at_idx").on("waitlist_entry").column("created_at").execute();

  // Instance-wide secrets generated once, in the database, so every replica
  // shares them without configuration (used to sign the waitlist form's start time).
  await db.schema
    .createTable("instance_secret")
    .addColumn("name", "text", (col) => col.primaryKey())
    .addColumn("value", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`insert into instance_secret (name, value)
    values ('form-signing-key', encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'hex'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("instance_secret").execute();
  await db.schema.dropTable("waitlist_entry").execute();
}
