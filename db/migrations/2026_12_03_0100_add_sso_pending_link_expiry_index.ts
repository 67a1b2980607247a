import { type Kysely } from "kysely";

// The clean-up job deletes expired SSO pending links in batches
// (jobs/cleanup.ts); this index finds them without reading the table.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("sso_pending_link_expires_at_idx").ifNotExists().on("sso_pending_link").column("expires_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("sso_pending_link_expires_at_idx").ifExists().execute();
}
