import { sql, type Kysely } from "kysely";

// Org security policies (issue 19): one row per org that has set any. A rule
// switched on gets a date from which it is enforced (the end of the members'
// grace period); before then it only warns. Sessions carry the limits the
// strictest of their user's orgs set, computed at sign-in and re-applied when
// a policy changes, so validating a session stays one indexed read.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("org_security_policy")
    .addColumn("org_id", "uuid", (col) => col.primaryKey().references("org.id").onDelete("cascade"))
    .addColumn("require_two_factor", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("two_factor_enforced_from", "timestamptz")
    // true: an SSO sign-in counts as two-factor only if the IdP asserted MFA; false: any SSO sign-in through the org's IdP counts.
    .addColumn("sso_needs_idp_mfa", "boolean", (col) => col.notNull().defaultTo(true))
    .addColumn("require_sso", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("sso_enforced_from", "timestamptz")
    .addColumn("session_max_minutes", "integer", (col) => col.check(sql`session_max_minutes > 0`))
    .addColumn("session_idle_minutes", "integer", (col) => col.check(sql`session_idle_minutes > 0`))
    .addColumn("invite_domains", sql`text[]`, (col) => col.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn("api_key_max_days", "integer", (col) => col.check(sql`api_key_max_days > 0`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  // Per-session idle timeout in seconds (null: the default 30 days), and
  // whether the IdP asserted MFA for an SSO session.
  await db.schema
    .alterTable("session")
    .addColumn("idle_timeout_seconds", "integer")
    .addColumn("sso_mfa_asserted", "boolean", (col) => col.notNull().defaultTo(false))
    .execute();

  // Keys made while the org caps their lifetime expire; null: never.
  await db.schema.alterTable("api_key").addColumn("expires_at", "timestamptz").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("api_key").dropColumn("expires_at").execute();
  await db.schema.alterTable("session").dropColumn("idle_timeout_seconds").dropColumn("sso_mfa_asserted").execute();
  await db.schema.dropTable("org_security_policy").execute();
}
