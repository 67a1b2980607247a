// Events become deliveries here, in the worker, not in the request that made
// them: each pass locks a batch of events not yet fanned out (SKIP LOCKED, so
// passes in several processes never take the same one), inserts one delivery
// per subscribed endpoint in one statement, marks the events done and commits.
// The unique (event, endpoint) pair makes a repeated pass harmless.
import { sql } from "kysely";
import type { Database } from "../db";

export const FANOUT_BATCH = 200;

export async function fanOutEvents(db: Database, now = new Date(), batchSize = FANOUT_BATCH): Promise<{ claimed: number }> {
  return db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ id: string }>`
      select id from outbound_event where fanned_out_at is null order by created_at limit ${batchSize} for update skip locked`.execute(tx);
    if (rows.length === 0) return { claimed: 0 };
    const ids = rows.map((r) => r.id);
    await sql`
      insert into webhook_delivery (event_id, endpoint_id, next_attempt_at, created_at)
      select ev.id, ep.id, ${now}, ${now}
      from outbound_event ev
      join webhook_endpoint ep on ev.type = any(ep.event_types) and (ep.org_id is null or ep.org_id = ev.org_id) and ep.disabled_at is null
      where ev.id = any(${ids}::uuid[])
      on conflict do nothing`.execute(tx);
    await tx.updateTable("outbound_event").set({ fanned_out_at: now }).where("id", "in", ids).execute();
    return { claimed: rows.length };
  });
}
