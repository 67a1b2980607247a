// "Deletion that reaches the apps": after a purge, whether each of the
// instance's endpoints has received user.deleted for the account.
import { sql } from "kysely";
import type { Database } from "../db";

export type DeletionReach = { erasedAt: Date; endpoints: Array<{ url: string; status: "delivered" | "pending" | "failed" | "not-sent"; attempts: number; deliveredAt: Date | null }> };

/** null when no user.deleted event was recorded for this id (no endpoint listened, or it was never erased). */
export async function findDeletionReach(db: Database, userId: string): Promise<DeletionReach | null> {
  const event = await db
    .selectFrom("outbound_event")
    .select(["id", "created_at"])
    .where("subject_user_id", "=", userId)
    .where("type", "=", "user.deleted")
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  if (!event) return null;
  const { rows } = await sql<{ url: string; status: string | null; attempts: number | null; delivered_at: Date | null }>`
    select ep.url, d.status, d.attempts, d.delivered_at
    from webhook_endpoint ep
    left join webhook_delivery d on d.endpoint_id = ep.id and d.event_id = ${event.id}
    where ep.org_id is null and 'user.deleted' = any(ep.event_types)
    order by ep.created_at`.execute(db);
  return {
    erasedAt: event.created_at,
    endpoints: rows.map((r) => ({
      url: r.url,
      // "sending" is still on its way; no row yet means the worker has not fanned it out.
      status: r.status === "delivered" || r.status === "failed" ? r.status : r.status ? "pending" : "not-sent",
      attempts: r.attempts ?? 0,
      deliveredAt: r.delivered_at,
    })),
  };
}

/** Whether any instance endpoint listens for user.deleted (the deletion email then says the apps will be told). */
export async function appsHearOfDeletions(db: Database): Promise<boolean> {
  const row = await db
    .selectFrom("webhook_endpoint")
    .select("id")
    .where("org_id", "is", null)
    .where("disabled_at", "is", null)
    .where(sql<boolean>`'user.deleted' = any(event_types)`)
    .executeTakeFirst();
  return row !== undefined;
}
