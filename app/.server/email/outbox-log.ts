// The operator's view of the outbox: recent messages, newest first, without bodies.
import type { Database } from "../db";
import type { OutboxEmailStatus } from "../../../db/schema";

export async function listRecentEmails(db: Database, options: { status?: OutboxEmailStatus; limit?: number } = {}) {
  let query = db
    .selectFrom("outbox_email")
    .select(["id", "template", "to_address", "subject", "status", "attempts", "max_attempts", "last_error", "created_at", "sent_at", "next_attempt_at"])
    .select((eb) => eb("html", "is not", null).as("retryable"))
    .orderBy("created_at", "desc")
    .limit(options.limit ?? 100);
  if (options.status) query = query.where("status", "=", options.status);
  return query.execute();
}
