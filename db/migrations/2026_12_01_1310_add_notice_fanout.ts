import { sql, type Kysely } from "kysely";

// A notice's emails are queued by the worker in committed batches, not inside
// the publishing request: each notice remembers how far its fan-out got (the
// last recipient id done), so a crashed worker resumes where it stopped.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable("notice")
    .addColumn("emails_queued", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("emails_refused", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("fanout_cursor", "uuid")
    .addColumn("fanout_done_at", "timestamptz")
    .execute();
  // Notices published before this change had their emails queued when published.
  await sql`update notice set fanout_done_at = published_at`.execute(db);
  await sql`create index notice_fanout_pending_idx on notice (published_at) where fanout_done_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index notice_fanout_pending_idx`.execute(db);
  await db.schema.alterTable("notice").dropColumn("emails_queued").dropColumn("emails_refused").dropColumn("fanout_cursor").dropColumn("fanout_done_at").execute();
}
