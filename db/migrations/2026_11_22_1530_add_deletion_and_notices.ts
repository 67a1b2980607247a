import { sql, type Kysely } from "kysely";

// Delete Account: a request starts a grace period; after purge_after the purge
// job removes the person. An org left with nobody but its deleting owner gets
// the same grace. Notices are the operator's policy-change announcements.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("user").addColumn("deletion_requested_at", "timestamptz").addColumn("purge_after", "timestamptz").execute();
  await sql`create index user_purge_after_idx on "user" (purge_after) where purge_after is not null`.execute(db);
  await db.schema.alterTable("org").addColumn("purge_after", "timestamptz").execute();
  await sql`create index org_purge_after_idx on org (purge_after) where purge_after is not null`.execute(db);

  await db.schema
    .createTable("notice")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("title", "text", (col) => col.notNull())
    .addColumn("body", "text", (col) => col.notNull())
    .addColumn("link", "text")
    .addColumn("published_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("show_until", "timestamptz", (col) => col.notNull())
    .addColumn("created_by", "uuid", (col) => col.references("user.id").onDelete("set null"))
    .execute();
  await db.schema
    .createTable("notice_dismissal")
    .addColumn("notice_id", "uuid", (col) => col.notNull().references("notice.id").onDelete("cascade"))
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("dismissed_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("notice_dismissal_pkey", ["notice_id", "user_id"])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("notice_dismissal").execute();
  await db.schema.dropTable("notice").execute();
  await db.schema.alterTable("org").dropColumn("purge_after").execute();
  await db.schema.alterTable("user").dropColumn("purge_after").dropColumn("deletion_requested_at").execute();
}
