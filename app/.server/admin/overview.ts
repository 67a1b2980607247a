// The operator console's front page: a few counts and the latest org
// deletions. Each count stops at COUNT_CAP rows (a LIMIT inside the count), so
// the page stays cheap on an instance with millions of rows; past the cap it
// says "10,000+".
import { sql, type SelectQueryBuilder } from "kysely";
import type { DB } from "../../../db/schema";
import type { Database } from "../db";
import { listOrgDeletions } from "../orgs/org-deletion";

export const COUNT_CAP = 10_000;

export type CappedCount = { value: number; capped: boolean };

async function cappedCount<TB extends keyof DB>(query: SelectQueryBuilder<DB, TB, object>, db: Database): Promise<CappedCount> {
  const row = await db
    .selectFrom(query.select(sql<number>`1`.as("one")).limit(COUNT_CAP + 1).as("capped"))
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  const n = Number(row.n);
  return { value: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

export type AdminOverview = {
  users: CappedCount;
  usersPendingDeletion: CappedCount;
  waitlistPending: CappedCount;
  emailsFailed: CappedCount;
  webhooksFailed: CappedCount | null;
  orgDeletions: Awaited<ReturnType<typeof listOrgDeletions>>;
};

export async function loadAdminOverview(db: Database, options: { billing: boolean }): Promise<AdminOverview> {
  const [users, usersPendingDeletion, waitlistPending, emailsFailed, webhooksFailed, orgDeletions] = await Promise.all([
    cappedCount(db.selectFrom("user"), db),
    cappedCount(db.selectFrom("user").where("purge_after", "is not", null), db),
    // Waiting: confirmed their address, not invited yet.
    cappedCount(db.selectFrom("waitlist_entry").where("confirmed_at", "is not", null).where("invited_at", "is", null), db),
    cappedCount(db.selectFrom("outbox_email").where("status", "=", "failed"), db),
    options.billing ? cappedCount(db.selectFrom("webhook_event").where("status", "=", "failed"), db) : Promise.resolve(null),
    listOrgDeletions(db, 10),
  ]);
  return { users, usersPendingDeletion, waitlistPending, emailsFailed, webhooksFailed, orgDeletions };
}
