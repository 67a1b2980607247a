import { sql, type Kysely } from "kysely";

// The server-side half of an SSO round trip. A sign-in (or an admin's "Test
// connection") leaves for the IdP with a random cookie; the row found by that
// cookie's hash holds what the answer must match (state, nonce, the PKCE
// verifier, the SAML request id) and where to go afterwards. Rows live ten
// minutes and are deleted when used, so an answer is accepted once, and only
// in the browser that asked for it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sso_attempt")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("binding_hash", "bytea", (col) => col.notNull().unique())
    .addColumn("connection_id", "uuid", (col) => col.notNull().references("sso_connection.id").onDelete("cascade"))
    .addColumn("purpose", "text", (col) => col.notNull().check(sql`purpose in ('sign-in', 'test')`))
    .addColumn("state", "text", (col) => col.notNull())
    .addColumn("nonce", "text")
    .addColumn("code_verifier", "text")
    .addColumn("request_id", "text") // SAML AuthnRequest ID (InResponseTo)
    .addColumn("return_to", "text")
    // Where the browser goes at the IdP. A form's answer may not redirect to
    // another site (CSP form-action 'self' covers redirects), so the form
    // leads to /sso/continue, whose page moves on to this by itself.
    .addColumn("continue_url", "text")
    // A SAML answer arrives as a cross-site POST without our cookies: its
    // checked verdict waits here for the same-site GET that has them.
    .addColumn("verdict", "jsonb")
    // The admin who started a test; the result is shown to them only.
    .addColumn("tester_user_id", "uuid", (col) => col.references("user.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("sso_attempt_expires_at_idx").on("sso_attempt").column("expires_at").execute();

  // An SSO sign-in whose address belongs to an existing account that has not
  // linked this IdP yet: held until the account proves itself with its own
  // sign-in (password, and the second factor if on), then linked.
  await db.schema
    .createTable("sso_pending_link")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("token_hash", "bytea", (col) => col.notNull().unique())
    .addColumn("connection_id", "uuid", (col) => col.notNull().references("sso_connection.id").onDelete("cascade"))
    .addColumn("subject", "text", (col) => col.notNull())
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("sso_pending_link_user_id_idx").on("sso_pending_link").column("user_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("sso_pending_link").execute();
  await db.schema.dropTable("sso_attempt").execute();
}
