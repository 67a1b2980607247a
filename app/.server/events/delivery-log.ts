// What an endpoint's owner sees of its deliveries: the event, status, tries,
// the last response code and how long it took. Response bodies are never kept.
import type { Database } from "../db";
import type { EndpointScope } from "./endpoints";

export const DELIVERY_LOG_LIMIT = 50;

export type DeliveryLogEntry = {
  id: string;
  eventType: string;
  eventId: string;
  status: "pending" | "sending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date;
  createdAt: Date;
};

export async function listDeliveries(db: Database, endpointId: string, limit = DELIVERY_LOG_LIMIT): Promise<DeliveryLogEntry[]> {
  const rows = await db
    .selectFrom("webhook_delivery as d")
    .innerJoin("outbound_event as ev", "ev.id", "d.event_id")
    .select(["d.id", "ev.type", "d.event_id", "d.status", "d.attempts", "d.last_status_code", "d.last_duration_ms", "d.last_error", "d.last_attempt_at", "d.next_attempt_at", "d.created_at"])
    .where("d.endpoint_id", "=", endpointId)
    .orderBy("d.created_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    eventType: r.type,
    eventId: r.event_id,
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastDurationMs: r.last_duration_ms,
    lastError: r.last_error,
    lastAttemptAt: r.last_attempt_at,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
  }));
}

/**
 * "Resend": the delivery starts afresh (a full retry schedule), with the same
 * webhook-id, so a receiver that already has it can tell. A delivery in flight
 * is left alone.
 */
export async function resendDelivery(db: Database, scope: EndpointScope & { deliveryId: string }, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable("webhook_delivery")
    .set({ status: "pending", attempts: 0, next_attempt_at: now })
    .where("id", "=", scope.deliveryId)
    .where("status", "in", ["delivered", "failed"])
    .where("endpoint_id", "in", (eb) => {
      const endpoints = eb.selectFrom("webhook_endpoint").select("id");
      return scope.orgId ? endpoints.where("org_id", "=", scope.orgId) : endpoints.where("org_id", "is", null);
    })
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
