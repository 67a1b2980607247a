import { sql, type Kysely } from "kysely";

// Fixed-window counters shared by every replica (login, signup, waitlist and
// email limits all key into this one table).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("rate_limit")
    .addColumn("key", "text", (col) => col.notNull())
    .addColumn("window_start", "timestamptz", (col) => col.notNull())
    .addColumn("count", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("expires_at", "timestamptz", (col) => col.notNull())
    .addPrimaryKeyConstraint("rate_limit_pkey", ["key", "window_start"])
    .execute();
  await db.schema.createIndex("rate_limit_expires_at_idx").on("rate_limit").column("expires_at").execute();
  await sql`comment on table rate_limit is 'fixed-window rate-limit counters; rows past expires_at are deleted by a job'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("rate_limit").execute();
}
