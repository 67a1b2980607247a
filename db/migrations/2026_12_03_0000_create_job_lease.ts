import { type Kysely } from "kysely";

// Which process runs a scheduled job right now (the clean-up, say), and until
// when. The job itself runs in many short transactions, so exclusivity cannot
// be a transaction-scoped lock held for the whole run; a lease row is, and it
// ends by itself if its process dies.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("job_lease")
    .addColumn("name", "text", (col) => col.primaryKey())
    .addColumn("holder", "text", (col) => col.notNull())
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("job_lease").execute();
}
