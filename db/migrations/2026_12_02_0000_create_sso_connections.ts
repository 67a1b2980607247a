import { sql, type Kysely } from "kysely";

// Enterprise SSO: the connections an org (or, with org_id null, the whole
// self-hosted instance) signs its people in with, the email domains that route
// sign-in to them, and which IdP subject is which account. The OIDC client
// secret must be read back to call the IdP, so it is stored encrypted
// (app/.server/secrets) with a key that is not in the database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("sso_connection")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (col) => col.references("org.id").onDelete("cascade")) // null: instance-wide
    .addColumn("kind", "text", (col) => col.notNull().check(sql`kind in ('oidc', 'saml')`))
    .addColumn("name", "text", (col) => col.notNull())
    // Off until an admin has run a successful test sign-in and switched it on.
    .addColumn("enabled", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("default_role", "text", (col) => col.notNull().defaultTo("member").check(sql`default_role in ('admin', 'member')`))
    .addColumn("oidc_issuer", "text")
    .addColumn("oidc_discovery", "jsonb") // pasted discovery document, for an IdP we cannot reach
    .addColumn("oidc_client_id", "text")
    .addColumn("oidc_client_secret_ciphertext", "text")
    .addColumn("oidc_scopes", "text")
    .addColumn("saml_idp_entity_id", "text")
    .addColumn("saml_idp_sso_url", "text")
    .addColumn("saml_idp_certificate", "text") // PEM; several when the IdP is rolling its key
    .addColumn("saml_idp_metadata_xml", "text")
    .addColumn("certificate_expires_at", "timestamptz")
    .addColumn("last_tested_at", "timestamptz")
    .addColumn("last_test_result", "jsonb")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("sso_connection_org_id_idx").on("sso_connection").column("org_id").execute();

  // An email domain claimed by an org (org_id null: by the instance's operator).
  // Only a verified domain routes sign-in and lets an IdP vouch for addresses.
  await db.schema
    .createTable("sso_domain")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (col) => col.references("org.id").onDelete("cascade"))
    .addColumn("connection_id", "uuid", (col) => col.references("sso_connection.id").onDelete("set null"))
    .addColumn("domain", "text", (col) => col.notNull().unique()) // lower-case, no trailing dot
    .addColumn("verification_token", "text", (col) => col.notNull()) // the DNS TXT value (hosted mode)
    .addColumn("verified_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("sso_domain_org_id_idx").on("sso_domain").column("org_id").execute();

  // Which IdP subject is which account; written by just-in-time provisioning or
  // by linking after the account proved itself with its password.
  await db.schema
    .createTable("sso_identity")
    .addColumn("connection_id", "uuid", (col) => col.notNull().references("sso_connection.id").onDelete("cascade"))
    .addColumn("subject", "text", (col) => col.notNull())
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last_sign_in_at", "timestamptz")
    .addPrimaryKeyConstraint("sso_identity_pkey", ["connection_id", "subject"])
    .execute();
  await db.schema.createIndex("sso_identity_user_id_idx").on("sso_identity").column("user_id").execute();

  // A session made through SSO is marked with its connection: it gives no
  // access to other orgs that require SSO, and ends if the connection goes.
  await db.schema
    .alterTable("session")
    .addColumn("sso_connection_id", "uuid", (col) => col.references("sso_connection.id").onDelete("cascade"))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("session").dropColumn("sso_connection_id").execute();
  await db.schema.dropTable("sso_identity").execute();
  await db.schema.dropTable("sso_domain").execute();
  await db.schema.dropTable("sso_connection").execute();
}
