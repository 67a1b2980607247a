// Policy-change notices: the operator publishes one, every active account gets
// it by email (through the outbox, so the worker's EMAIL_RATE_PER_SECOND paces
// delivery), and a banner shows it for NOTICE_DAYS until each person dismisses it.
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { NOTICE_DAYS } from "../../utils/notice-limits";
import { forgetCachedBanners } from "./banner";
import type { NoticeInput } from "./schema";

// The recipient limit guards against the portal being used to flood an inbox
// on someone else's request. A policy notice is the operator's own, one per
// account, and people have a right to be told: it must not be dropped because
// the same person got a reset code or an invitation this hour. It still counts
// toward that hour, so it cannot open a gap for anything else.
const NOTICE_RECIPIENT_LIMIT = Number.MAX_SAFE_INTEGER;

// Who a notice is emailed to: verified accounts that are not waiting to be purged.
function activeAccounts(db: Database) {
  return db.selectFrom("user").where("email_verified_at", "is not", null).where("deletion_requested_at", "is", null);
}

export async function countActiveAccounts(db: Database): Promise<number> {
  const row = await activeAccounts(db).select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

export type PublishResult = { noticeId: string; emailsQueued: number; emailsRefused: number };

export async function publishNotice(db: Database, input: NoticeInput & { createdBy: string }, now = new Date()): Promise<PublishResult> {
  // Built before the transaction: publicLink refuses anything that is not a path.
  const emailLink = input.link ? publicLink(input.link) : null;
  const result = await db.transaction().execute(async (tx) => {
    const notice = await tx
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

    const recipients = await activeAccounts(tx).select(["email", "name"]).orderBy("created_at").execute();

    let emailsQueued = 0;
    for (const recipient of recipients) {
      const result = await queueEmail(
        tx,
        { to: recipient.email, toName: recipient.name, template: "policy-notice", props: { title: input.title, body: input.body, link: emailLink } },
        { now, recipientHourlyLimit: NOTICE_RECIPIENT_LIMIT },
      );
      if (result.queued) emailsQueued++;
    }
    return { noticeId: notice.id, emailsQueued, emailsRefused: recipients.length - emailsQueued };
  });
  forgetCachedBanners(); // this replica shows it at once; others within the cache's lifetime
  return result;
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
