import type { Kysely } from "kysely";

// Indexes that EXPLAIN showed missing (app/.server/database/query-plans.test.ts):
// every page's banner asks for the notices still showing, and the clean-up job
// deletes expired single-use tokens by expiry, every few minutes per deployment.
const INDEXES: Array<[name: string, table: string, column: string]> = [
  ["notice_show_until_idx", "notice", "show_until"],
  ["email_verification_expires_at_idx", "email_verification", "expires_at"],
  ["password_reset_expires_at_idx", "password_reset", "expires_at"],
  ["signup_invitation_expires_at_idx", "signup_invitation", "expires_at"],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, table, column] of INDEXES) await db.schema.createIndex(name).on(table).column(column).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of INDEXES) await db.schema.dropIndex(name).execute();
}
