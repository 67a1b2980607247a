// The operator's view of the webhook log: newest first, without bodies (they
// name the buyer), with what applying each one did.
import type { WebhookEventStatus } from "../../../db/schema";
import type { Database } from "../db";

export const WEBHOOK_STATUSES: readonly WebhookEventStatus[] = ["pending", "processing", "applied", "skipped", "failed"];

export async function listWebhookEvents(db: Database, options: { status?: WebhookEventStatus; limit?: number } = {}) {
  let query = db
    .selectFrom("webhook_event")
    .leftJoin("org", "org.id", "webhook_event.org_id")
    .select([
      "webhook_event.id",
      "webhook_event.event_name",
      "webhook_event.resource_type",
      "webhook_event.resource_id",
      "webhook_event.status",
      "webhook_event.outcome",
      "webhook_event.error",
      "webhook_event.attempts",
      "webhook_event.deliveries",
      "webhook_event.received_at",
      "webhook_event.processed_at",
      "webhook_event.next_attempt_at",
      "org.slug as org_slug",
    ])
    .select((eb) => eb("webhook_event.body", "is not", null).as("replayable"))
    .orderBy("webhook_event.id", "desc")
    .limit(options.limit ?? 100);
  if (options.status) query = query.where("webhook_event.status", "=", options.status);
  return query.execute();
}

export async function countWebhookEventsByStatus(db: Database): Promise<Record<WebhookEventStatus, number>> {
  const rows = await db.selectFrom("webhook_event").select(["status", (eb) => eb.fn.countAll<string>().as("n")]).groupBy("status").execute();
  const counts = Object.fromEntries(WEBHOOK_STATUSES.map((s) => [s, 0])) as Record<WebhookEventStatus, number>;
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}
