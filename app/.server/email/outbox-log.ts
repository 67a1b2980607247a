// The operator's view of the outbox: messages newest first, without bodies, 100
// to a page by keyset cursor over (created_at, id), through an index that
// matches (outbox_email_created_at_id_idx, or ..._status_created_at_id_idx
// for one status), so older pages cost what the first does.
import { sql } from "kysely";
import type { Database } from "../db";
import type { OutboxEmailStatus } from "../../../db/schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One page; `before` is the id of the last message of the page before. */
export async function listEmailPage(db: Database, options: { status?: OutboxEmailStatus; before?: string | null; limit?: number } = {}) {
  const limit = options.limit ?? 100;
  let query = db
    .selectFrom("outbox_email")
    .select(["id", "template", "to_address", "subject", "status", "attempts", "max_attempts", "last_error", "created_at", "sent_at", "next_attempt_at"])
    .select((eb) => eb("html", "is not", null).as("retryable"));
  if (options.status) query = query.where("status", "=", options.status);
  if (options.before !== undefined && options.before !== null) {
    if (!UUID.test(options.before)) return { emails: [], nextCursor: null };
    query = query.where(sql<boolean>`(outbox_email.created_at, outbox_email.id) < (select c.created_at, c.id from outbox_email c where c.id = ${options.before})`);
  }
  const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit + 1).execute();
  const emails = rows.slice(0, limit);
  return { emails, nextCursor: rows.length > limit ? emails.at(-1)!.id : null };
}
