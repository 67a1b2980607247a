import { sql, type Kysely } from "kysely";

// Organizations and what belongs to them: members, invitations, API keys and
// the audit history. Everything an org owns cascades with the org; what a
// person did stays with the org when the person goes (actor_id set null, the
// label anonymised by the purge).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("org")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("slug", "text", (col) => col.notNull().unique())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("plan", "text", (col) => col.notNull())
    // null: unlimited (until billing sets a limit)
    .addColumn("seat_limit", "integer")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("membership")
    .addColumn("org_id", "uuid", (col) => col.notNull().references("org.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("role", "text", (col) => col.notNull().check(sql`role in ('owner', 'admin', 'member')`))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("membership_pkey", ["org_id", "user_id"])
    .execute();
  await db.schema.createIndex("membership_user_id_idx").on("membership").column("user_id").execute();

  await db.schema
    .createTable("org_invitation")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (col) => col.notNull().references("org.id").onDelete("cascade"))
    .addColumn("email", "text", (col) => col.notNull())
    .addColumn("role", "text", (col) => col.notNull().check(sql`role in ('owner', 'admin', 'member')`))
    .addColumn("token_hash", "bytea", (col) => col.notNull().unique())
    .addColumn("invited_by", "uuid", (col) => col.references("user.id").onDelete("set null"))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addColumn("accepted_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("org_invitation_org_id_idx").on("org_invitation").column("org_id").execute();
  await db.schema.createIndex("org_invitation_email_idx").on("org_invitation").column("email").execute();

  await db.schema
    .createTable("api_key")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (col) => col.notNull().references("org.id").onDelete("cascade"))
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("prefix", "text", (col) => col.notNull())
    .addColumn("secret_hash", "bytea", (col) => col.notNull().unique())
    .addColumn("created_by", "uuid", (col) => col.references("user.id").onDelete("set null"))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last_used_at", "timestamptz")
    .addColumn("revoked_at", "timestamptz")
    .execute();
  await db.schema.createIndex("api_key_org_id_idx").on("api_key").column("org_id").execute();

  await db.schema
    .createTable("audit_event")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("org_id", "uuid", (col) => col.notNull().references("org.id").onDelete("cascade"))
    .addColumn("actor_id", "uuid", (col) => col.references("user.id").onDelete("set null"))
    .addColumn("actor_label", "text", (col) => col.notNull())
    .addColumn("action", "text", (col) => col.notNull())
    .addColumn("target", "text")
    .addColumn("ip", "text")
    .addColumn("metadata", "jsonb", (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  // The history page and the API page backwards through one org's events by id.
  await db.schema.createIndex("audit_event_org_id_id_idx").on("audit_event").columns(["org_id", "id"]).execute();
  await db.schema.createIndex("audit_event_created_at_idx").on("audit_event").column("created_at").execute();
  await db.schema.createIndex("audit_event_actor_id_idx").on("audit_event").column("actor_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["audit_event", "api_key", "org_invitation", "membership", "org"]) {
    await db.schema.dropTable(table).execute();
  }
}
