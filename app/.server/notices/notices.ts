// Policy-change notices: the operator publishes one, every active account gets
// it by email (queued by the worker in batches, fanout.ts, and delivered
// through the outbox at EMAIL_RATE_PER_SECOND), and a banner shows it for
// NOTICE_DAYS until each person dismisses it.
import { sql } from "kysely";
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { NOTICE_DAYS } from "../../utils/notice-limits";
import { forgetCachedBanners } from "./banner";
import type { NoticeInput } from "./schema";

// Who a notice is emailed to: verified accounts that are not waiting to be purged.
function activeAccounts(db: Database) {
  return db.selectFrom("user").where("email_verified_at", "is not", null).where("deletion_requested_at", "is", null);
}

/** Counting stops here: the page says "more than 10000", and its cost stays bounded. */
export const ACTIVE_ACCOUNTS_COUNT_CAP = 10_000;

/** How many accounts a notice would email, up to ACTIVE_ACCOUNTS_COUNT_CAP (`atLeast` when there are more). */
export async function countActiveAccounts(db: Database): Promise<{ count: number; atLeast: boolean }> {
  const row = await db
    .selectFrom(activeAccounts(db).select(sql`1`.as("one")).limit(ACTIVE_ACCOUNTS_COUNT_CAP + 1).as("capped"))
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  const n = Number(row.n);
  return { count: Math.min(n, ACTIVE_ACCOUNTS_COUNT_CAP), atLeast: n > ACTIVE_ACCOUNTS_COUNT_CAP };
}

export type PublishResult = { noticeId: string };

/** Records the notice and returns: its emails are queued by the worker (fanOutNoticeBatch). */
export async function publishNotice(db: Database, input: NoticeInput & { createdBy: string }, now = new Date()): Promise<PublishResult> {
  // Refuses anything that is not a path before anything is stored.
  if (input.link) publicLink(input.link);
  const notice = await db
    .insertInto("notice")
    .values({
      title: input.title,
      body: input.body,
      link: input.link,
      published_at: now,
      show_until: new Date(now.getTime() + NOTICE_DAYS * 86_400_000),
      created_by: input.createdBy,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  forgetCachedBanners(); // this replica shows it at once; others within the cache's lifetime
  return { noticeId: notice.id };
}

/** Every notice, newest first, with how many people dismissed it: the operator's list. */
export async function listNotices(db: Database, limit = 100) {
  return db
    .selectFrom("notice")
    .leftJoin("user", "user.id", "notice.created_by")
    .select((eb) => [
      "notice.id",
      "notice.title",
      "notice.body",
      "notice.link",
      "notice.published_at",
      "notice.show_until",
      "notice.emails_queued",
      "notice.emails_refused",
      "notice.fanout_done_at",
      "user.email as created_by_email",
      eb.selectFrom("notice_dismissal").select(eb.fn.countAll<string>().as("n")).whereRef("notice_dismissal.notice_id", "=", "notice.id").as("dismissals"),
    ])
    .orderBy("notice.published_at", "desc")
    .limit(limit)
    .execute();
}

/** Hides a notice for one user. Dismissing twice, or a notice that does not exist, changes nothing. */
export async function dismissNotice(db: Database, noticeId: string, userId: string, now = new Date()): Promise<{ dismissed: boolean }> {
  return db.transaction().execute(async (tx) => {
    const notice = await tx.selectFrom("notice").select("id").where("id", "=", noticeId).forShare().executeTakeFirst();
    if (!notice) return { dismissed: false };
    const inserted = await tx
      .insertInto("notice_dismissal")
      .values({ notice_id: noticeId, user_id: userId, dismissed_at: now })
      .onConflict((conflict) => conflict.columns(["notice_id", "user_id"]).doNothing())
      .executeTakeFirst();
    return { dismissed: Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0 };
  });
}
