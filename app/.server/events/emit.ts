// emitEvent() is the only way the product tells the outside world about a
// change. Like queueEmail() it is called inside the transaction of the change:
// a committed change always has its event and a rolled-back one never does.
// It writes one row whatever the number of endpoints; the worker fans it out.
import { sql } from "kysely";
import type { Database } from "../db";
import { EVENT_VERSION, type EventType } from "../../utils/event-types";

export type EventInput = {
  type: EventType;
  /** The org the event is about: its endpoints may hear of it (and the instance's). */
  orgId?: string | null;
  /** The person it is about, so the purge can find (and erase) it. */
  subjectUserId?: string | null;
  data: Record<string, unknown>;
  at?: Date;
};

/** The JSON body every endpoint receives for an event (Standard Webhooks' suggested shape, plus a version). */
export function eventBody(type: EventType, data: Record<string, unknown>, at: Date): string {
  return JSON.stringify({ type, version: EVENT_VERSION, timestamp: at.toISOString(), data });
}

/**
 * Writes the event when some enabled endpoint subscribes to it; otherwise
 * nothing (an instance with no endpoints stores no events). An endpoint
 * created after the change does not receive it.
 */
export async function emitEvent(tx: Database, input: EventInput): Promise<void> {
  const orgId = input.orgId ?? null;
  const { rows } = await sql<{ listening: boolean }>`
    select exists (
      select 1 from webhook_endpoint
      where disabled_at is null and ${input.type} = any(event_types)
        and (org_id is null or org_id = ${orgId})
    ) as listening`.execute(tx);
  if (!rows[0]?.listening) return;
  const at = input.at ?? new Date();
  await tx
    .insertInto("outbound_event")
    .values({ type: input.type, org_id: orgId, subject_user_id: input.subjectUserId ?? null, body: eventBody(input.type, input.data, at), created_at: at })
    .execute();
}
