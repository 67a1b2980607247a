// A notice's emails, queued by the worker in committed batches. Publishing only
// records the notice (a 200k-account mailing once took minutes inside the
// request's transaction); each pass here then takes the oldest notice still
// fanning out, locks its row (FOR UPDATE SKIP LOCKED: another worker busy with
// it is skipped, never doubled), queues the next FANOUT_BATCH_SIZE recipients
// after its cursor, moves the cursor and commits, all in one short transaction.
// A crash loses at most the batch in flight, which rolled back: the next pass
// starts from the committed cursor. The message is rendered once per notice.
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { getBrand } from "../email/brand";
import { queueRenderedBatch } from "../email/queue";
import { renderEmail, type RenderedEmail } from "../email/render";

export const FANOUT_BATCH_SIZE = 100;

// The recipient limit guards against the portal being used to flood an inbox
// on someone else's request. A policy notice is the operator's own, one per
// account, and people have a right to be told: it must not be dropped because
// the same person got a reset code or an invitation this hour. It still counts
// toward that hour, so it cannot open a gap for anything else.
const NOTICE_RECIPIENT_LIMIT = Number.MAX_SAFE_INTEGER;

// Rendered once per notice per process (the content never changes once published).
const rendered = new Map<string, Promise<RenderedEmail>>();

function renderNotice(notice: { id: string; title: string; body: string; link: string | null }): Promise<RenderedEmail> {
  let message = rendered.get(notice.id);
  if (!message) {
    if (rendered.size > 20) rendered.clear();
    message = renderEmail("policy-notice", { title: notice.title, body: notice.body, link: notice.link ? publicLink(notice.link) : null }, getBrand());
    message.catch(() => rendered.delete(notice.id));
    rendered.set(notice.id, message);
  }
  return message;
}

export type FanOutPass = { claimed: number; noticeId: string | null; done: boolean };

/** One batch of one notice's fan-out; `claimed` is how many recipients it covered (0: nothing to do). */
export async function fanOutNoticeBatch(db: Database, options: { batchSize?: number; now?: Date } = {}): Promise<FanOutPass> {
  const batchSize = options.batchSize ?? FANOUT_BATCH_SIZE;
  // Rendering (a few ms of React) happens outside the transaction, for the notice next in line.
  const next = await db.selectFrom("notice").select(["id", "title", "body", "link"]).where("fanout_done_at", "is", null).orderBy("published_at").limit(1).executeTakeFirst();
  if (!next) return { claimed: 0, noticeId: null, done: false };
  const message = await renderNotice(next);

  return db.transaction().execute(async (tx) => {
    const now = options.now ?? new Date();
    const notice = await tx
      .selectFrom("notice")
      .select(["id", "title", "body", "link", "published_at", "fanout_cursor"])
      .where("fanout_done_at", "is", null)
      .orderBy("published_at")
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!notice) return { claimed: 0, noticeId: null, done: false };
    const content = notice.id === next.id ? message : await renderNotice(notice);

    // Verified accounts that are not waiting to be purged, as of publication
    // (someone who signs up later reads the banner), by id through the primary key.
    let recipients = tx
      .selectFrom("user")
      .select(["id", "email", "name"])
      .where("email_verified_at", "is not", null)
      .where("deletion_requested_at", "is", null)
      .where("created_at", "<=", notice.published_at);
    if (notice.fanout_cursor) recipients = recipients.where("id", ">", notice.fanout_cursor);
    const batch = await recipients.orderBy("id").limit(batchSize).execute();

    const result = await queueRenderedBatch(
      tx,
      { template: "policy-notice", rendered: content, recipients: batch.map((r) => ({ to: r.email, toName: r.name })) },
      { now, recipientHourlyLimit: NOTICE_RECIPIENT_LIMIT },
    );
    const done = batch.length < batchSize;
    await tx
      .updateTable("notice")
      .set((eb) => ({
        emails_queued: eb("emails_queued", "+", result.queued),
        emails_refused: eb("emails_refused", "+", result.refused),
        fanout_cursor: batch.at(-1)?.id ?? notice.fanout_cursor,
        fanout_done_at: done ? now : null,
      }))
      .where("id", "=", notice.id)
      .execute();
    return { claimed: batch.length, noticeId: notice.id, done };
  });
}
