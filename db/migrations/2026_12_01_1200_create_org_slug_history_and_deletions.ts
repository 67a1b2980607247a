import { sql, type Kysely } from "kysely";

// org_slug_history: every address an org has given up, so old links keep
// working (they redirect to the current one) and nobody else can take an old
// address and receive the traffic meant for the org that left it.
// org_deletion: what operators see after an org is deleted. The org's own rows
// (its audit history included) are gone; this keeps who deleted what, when,
// and which subscription was cancelled, without any member's data.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("org_slug_history")
    .addColumn("slug", "text", (col) => col.primaryKey())
    .addColumn("org_id", "uuid", (col) => col.notNull().references("org.id").onDelete("cascade"))
    .addColumn("replaced_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("org_slug_history_org_id_idx").on("org_slug_history").column("org_id").execute();

  await db.schema
    .createTable("org_deletion")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("org_id", "uuid", (col) => col.notNull())
    .addColumn("slug", "text", (col) => col.notNull())
    .addColumn("name", "text", (col) => col.notNull())
    .addColumn("plan", "text", (col) => col.notNull())
    .addColumn("member_count", "integer", (col) => col.notNull())
    .addColumn("deleted_by", "uuid", (col) => col.references("user.id").onDelete("set null"))
    .addColumn("cancelled_subscriptions", "jsonb", (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("deleted_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("org_deletion_deleted_at_idx").on("org_deletion").column("deleted_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("org_deletion").execute();
  await db.schema.dropTable("org_slug_history").execute();
}
