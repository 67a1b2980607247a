import { sql, type Kysely } from "kysely";

// Work a login or recovery request leaves for the worker, so that the request
// itself costs the same whether or not the address has an account: the audit
// rows of a failed login, the token and email of a password reset. Each row
// lives for seconds (until the worker runs) and is deleted when done.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("deferred_account_work")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("kind", "text", (col) => col.notNull().check(sql`kind in ('failed-login', 'password-reset')`))
    .addColumn("email", "text", (col) => col.notNull())
    .addColumn("ip", "text")
    .addColumn("requested_at", "timestamptz", (col) => col.notNull())
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("not_before", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("deferred_account_work_not_before_idx").on("deferred_account_work").column("not_before").execute();
  await sql`comment on table deferred_account_work is 'failed-login audit rows and password-reset emails waiting for the worker; deleted once done'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("deferred_account_work").execute();
}
