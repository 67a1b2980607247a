import { sql, type Kysely } from "kysely";

// Accounts, sessions and the single-use secrets around them. Every token and
// code is stored as a SHA-256 hash (bytea); the plaintext only ever exists in
// the email or cookie that carries it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("user")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("email", "text", (col) => col.notNull().unique()) // normalized: lower-cased, NFKC, punycode domain
    .addColumn("email_verified_at", "timestamptz")
    .addColumn("password_hash", "text", (col) => col.notNull())
    .addColumn("name", "text")
    .addColumn("is_operator", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("session")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("secret_hash", "bytea", (col) => col.notNull())
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull())
    .addColumn("last_seen_at", "timestamptz", (col) => col.notNull())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("absolute_expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .execute();
  await db.schema.createIndex("session_user_id_idx").on("session").column("user_id").execute();
  await db.schema.createIndex("session_expires_at_idx").on("session").column("expires_at").execute();

  // One pending verification per user and purpose: a new one replaces the old.
  await db.schema
    .createTable("email_verification")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("purpose", "text", (col) => col.notNull().check(sql`purpose in ('signup', 'email-change')`))
    .addColumn("email", "text", (col) => col.notNull())
    .addColumn("code_hash", "bytea", (col) => col.notNull())
    .addColumn("token_hash", "bytea", (col) => col.notNull().unique())
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("email_verification_user_purpose_key", ["user_id", "purpose"])
    .execute();

  await db.schema
    .createTable("password_reset")
    .addColumn("token_hash", "bytea", (col) => col.primaryKey())
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("password_reset_user_id_idx").on("password_reset").column("user_id").execute();

  // Invite-only signup: an operator (or, later, the waitlist and org invitations)
  // grants one address the right to sign up.
  await db.schema
    .createTable("signup_invitation")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("email", "text", (col) => col.notNull())
    .addColumn("token_hash", "bytea", (col) => col.notNull().unique())
    .addColumn("source", "text", (col) => col.notNull())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("signup_invitation_email_idx").on("signup_invitation").column("email").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["signup_invitation", "password_reset", "email_verification", "session", "user"]) {
    await db.schema.dropTable(table).execute();
  }
}
