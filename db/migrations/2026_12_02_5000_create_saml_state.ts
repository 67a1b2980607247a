import { sql, type Kysely } from "kysely";

// SAML service-provider state. Nothing here is personal data: request and
// assertion ids are random strings the IdP or we made up.
export async function up(db: Kysely<any>): Promise<void> {
  // The AuthnRequests we sent, so a Response's InResponseTo can be checked:
  // it must name a request we made, for this connection, not too long ago.
  // Each is used once.
  await db.schema
    .createTable("saml_request")
    .addColumn("id", "text", (col) => col.primaryKey())
    .addColumn("connection_id", "uuid", (col) => col.notNull().references("sso_connection.id").onDelete("cascade"))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("saml_request_expires_at_idx").on("saml_request").column("expires_at").execute();

  // Assertion ids already accepted, kept until the assertion itself expires:
  // a captured response posted again is a replay.
  await db.schema
    .createTable("saml_assertion_seen")
    .addColumn("connection_id", "uuid", (col) => col.notNull().references("sso_connection.id").onDelete("cascade"))
    .addColumn("assertion_id", "text", (col) => col.notNull())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addPrimaryKeyConstraint("saml_assertion_seen_pkey", ["connection_id", "assertion_id"])
    .execute();
  await db.schema.createIndex("saml_assertion_seen_expires_at_idx").on("saml_assertion_seen").column("expires_at").execute();

  // Certificate-expiry emails already sent: one row per connection, per
  // certificate expiry date and per threshold (30, 7, 1 days), so each is
  // sent once, and a new certificate (new date) arms them again.
  await db.schema
    .createTable("saml_certificate_notice")
    .addColumn("connection_id", "uuid", (col) => col.notNull().references("sso_connection.id").onDelete("cascade"))
    .addColumn("certificate_expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("days_before", "integer", (col) => col.notNull())
    .addColumn("sent_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("saml_certificate_notice_pkey", ["connection_id", "certificate_expires_at", "days_before"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("saml_certificate_notice").execute();
  await db.schema.dropTable("saml_assertion_seen").execute();
  await db.schema.dropTable("saml_request").execute();
}
