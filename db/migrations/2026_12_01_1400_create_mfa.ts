import { sql, type Kysely } from "kysely";

// Second factors and passkeys. The TOTP seed is the one secret that must be
// read back: it is stored encrypted (app/.server/secrets), with a key that is
// not in the database. Recovery codes and the half-signed-in state's secret are
// SHA-256 hashes; passkeys store only public keys. Everything cascades with the
// user, so the account purge erases it.
export async function up(db: Kysely<any>): Promise<void> {
  // One authenticator app per account; confirmed_at is null while enrolment is
  // pending. last_used_step refuses a code used twice (RFC 6238 §5.2).
  await db.schema
    .createTable("totp_factor")
    .addColumn("user_id", "uuid", (col) => col.primaryKey().references("user.id").onDelete("cascade"))
    .addColumn("secret_ciphertext", "text", (col) => col.notNull())
    .addColumn("confirmed_at", "timestamptz")
    .addColumn("last_used_step", "bigint")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("recovery_code")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("code_hash", "bytea", (col) => col.notNull())
    .addColumn("used_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("recovery_code_user_id_idx").on("recovery_code").column("user_id").execute();

  await db.schema
    .createTable("passkey")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("credential_id", "text", (col) => col.notNull().unique()) // base64url, as WebAuthn sends it
    .addColumn("public_key", "bytea", (col) => col.notNull())
    .addColumn("counter", "bigint", (col) => col.notNull().defaultTo(0))
    .addColumn("transports", "text", (col) => col.notNull().defaultTo(""))
    .addColumn("backed_up", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last_used_at", "timestamptz")
    .execute();
  await db.schema.createIndex("passkey_user_id_idx").on("passkey").column("user_id").execute();

  // A WebAuthn challenge, single-use, found by its hash (the browser's signed
  // clientDataJSON carries it back, so no cookie or form field has to).
  await db.schema
    .createTable("webauthn_challenge")
    .addColumn("challenge_hash", "bytea", (col) => col.primaryKey())
    .addColumn("purpose", "text", (col) => col.notNull().check(sql`purpose in ('register', 'authenticate')`))
    .addColumn("user_id", "uuid", (col) => col.references("user.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .execute();
  await db.schema.createIndex("webauthn_challenge_expires_at_idx").on("webauthn_challenge").column("expires_at").execute();

  // Password right, second factor still to come: not a session, only /login/2fa accepts it.
  await db.schema
    .createTable("pending_sign_in")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("secret_hash", "bytea", (col) => col.notNull())
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("created_at", "timestamptz", (col) => col.notNull())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .execute();
  await db.schema.createIndex("pending_sign_in_expires_at_idx").on("pending_sign_in").column("expires_at").execute();

  // How each session was signed in, and when its holder last proved who they are (step-up).
  await db.schema
    .alterTable("session")
    .addColumn("auth_method", "text", (col) => col.notNull().defaultTo("password"))
    .addColumn("authenticated_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("session").dropColumn("auth_method").dropColumn("authenticated_at").execute();
  for (const table of ["pending_sign_in", "webauthn_challenge", "passkey", "recovery_code", "totp_factor"]) {
    await db.schema.dropTable(table).execute();
  }
}
