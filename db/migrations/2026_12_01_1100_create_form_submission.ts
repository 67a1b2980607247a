import { sql, type Kysely } from "kysely";

// One row per form render that created something (an API key, an org, an
// invitation): the second POST of the same render finds the row and creates
// nothing. `result` says what the first POST made (a slug, a name) so the
// answer to the repeat can point at it. Rows go with their user and are
// cleaned up after a day.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("form_submission")
    .addColumn("token", "text", (col) => col.primaryKey())
    .addColumn("user_id", "uuid", (col) => col.notNull().references("user.id").onDelete("cascade"))
    .addColumn("purpose", "text", (col) => col.notNull())
    .addColumn("result", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("form_submission_created_at_idx").on("form_submission").column("created_at").execute();
  await db.schema.createIndex("form_submission_user_id_idx").on("form_submission").column("user_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("form_submission").execute();
}
