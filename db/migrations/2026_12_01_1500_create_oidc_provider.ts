import { sql, type Kysely } from "kysely";

// The OpenID Connect provider (app/.server/identity, docs/decisions/0017):
// - oauth_app: the clients operators register (secret stored as SHA-256 only);
// - oidc_payload: every artifact oidc-provider keeps (codes, tokens, grants,
//   sessions, interactions), one table so any number of replicas share them;
// - oidc_key: token-signing and cookie-signing keys, encrypted at rest.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("oauth_app")
    .addColumn("client_id", "text", (col) => col.primaryKey())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("type", "text", (col) => col.notNull().check(sql`type in ('web', 'native', 'service')`))
    .addColumn("redirect_uris", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("grant_types", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("scopes", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("resources", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("trusted", "boolean", (col) => col.notNull().defaultTo(false))
    .addColumn("secret_hash", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("oidc_payload")
    .addColumn("kind", "text", (col) => col.notNull())
    .addColumn("id", "text", (col) => col.notNull())
    .addColumn("payload", "jsonb", (col) => col.notNull())
    .addColumn("grant_id", "text")
    .addColumn("user_code", "text")
    .addColumn("uid", "text")
    .addColumn("account_id", "text")
    .addColumn("client_id", "text")
    // What we show on /settings/apps about a device grant (host name, OS, CLI version, IP).
    .addColumn("details", "jsonb")
    .addColumn("expires_at", "timestamptz")
    .addColumn("consumed_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("oidc_payload_pkey", ["kind", "id"])
    .execute();
  await db.schema.createIndex("oidc_payload_grant_id_idx").on("oidc_payload").column("grant_id").execute();
  await db.schema.createIndex("oidc_payload_user_code_idx").on("oidc_payload").columns(["kind", "user_code"]).execute();
  await db.schema.createIndex("oidc_payload_uid_idx").on("oidc_payload").columns(["kind", "uid"]).execute();
  await db.schema.createIndex("oidc_payload_account_id_idx").on("oidc_payload").columns(["account_id", "kind"]).execute();
  await db.schema.createIndex("oidc_payload_expires_at_idx").on("oidc_payload").column("expires_at").execute();

  await db.schema
    .createTable("oidc_key")
    .addColumn("kid", "text", (col) => col.primaryKey())
    .addColumn("purpose", "text", (col) => col.notNull().check(sql`purpose in ('signing', 'cookie')`))
    .addColumn("encrypted_material", "text", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("retired_at", "timestamptz")
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("oidc_key").execute();
  await db.schema.dropTable("oidc_payload").execute();
  await db.schema.dropTable("oauth_app").execute();
}
