// Retention removes the oldest events. Within a chain it removes only a
// prefix (every event before the first one still within the retention
// period), never a gap, since an event's time is not always in chain order
// (the API takes an occurred_at). The chain row then records the new start
// (its seq and the hash of the last event removed), and a checkpoint event
// states it, so verification starts there and still passes.
import { sql } from "kysely";
import type { Database } from "../../db";
import { lockChainHead, recordCheckpoint } from "./checkpoints";

/** Deletes expired events, chain by chain; returns how many. Run inside one transaction (the clean-up job's). */
export async function deleteExpiredChainPrefixes(tx: Database, cutoff: Date, now: Date): Promise<number> {
  // Events from before the chain are removed by their time alone.
  const unchained = await tx.deleteFrom("audit_event").where("seq", "is", null).where("created_at", "<", cutoff).executeTakeFirst();
  let deleted = Number(unchained.numDeletedRows);
  const orgs = await tx.selectFrom("audit_event").select("org_id").distinct().where("created_at", "<", cutoff).where("seq", "is not", null).orderBy("org_id").execute();
  for (const { org_id: orgId } of orgs) {
    const head = await lockChainHead(tx, orgId);
    if (!head) continue;
    const firstKept = await tx
      .selectFrom("audit_event")
      .select(sql<string>`seq::text`.as("seq"))
      .where("org_id", "=", orgId)
      .where("seq", "is not", null)
      .where("created_at", ">=", cutoff)
      .orderBy("audit_event.seq")
      .limit(1)
      .executeTakeFirst();
    const newStart = firstKept ? Number(firstKept.seq) : Number(head.seq) + 1;
    if (newStart <= Number(head.start_seq)) continue; // the first event is still within the period
    const { rows } = await sql<{ hash: string | null }>`
      select encode(hash, 'hex') as hash from audit_event where org_id = ${orgId} and seq = ${newStart - 1}::bigint`.execute(tx);
    const lastRemovedHash = rows[0]?.hash ?? null;
    const removed = await tx.deleteFrom("audit_event").where("org_id", "=", orgId).where("seq", "is not", null).where("seq", "<", String(newStart)).executeTakeFirst();
    deleted += Number(removed.numDeletedRows);
    await tx.updateTable("audit_chain").set({ start_seq: newStart, start_prev_hash: lastRemovedHash === null ? null : Buffer.from(lastRemovedHash, "hex") }).where("org_id", "=", orgId).execute();
    await recordCheckpoint(tx, orgId, { ...head, start_seq: String(newStart), start_prev_hash: lastRemovedHash }, { reason: "retention", removed_through_seq: newStart - 1 }, now);
  }
  return deleted;
}
