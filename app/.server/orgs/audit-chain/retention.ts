// Retention removes the oldest events. Within a chain it removes only a
// prefix (every event before the first one still within the retention
// period), never a gap, since an event's time is not always in chain order
// (the API takes an occurred_at). The chain row then records the new start
// (its seq and the hash of the last event removed), and a checkpoint event
// states it, so verification starts there and still passes.
import { sql } from "kysely";
import type { Database } from "../../db";
import { lockChainHead, recordCheckpoint } from "./checkpoints";
import { deleteInBatches } from "../../jobs/batched-delete";

/** Events removed per transaction: the chain's lock is held only that long. */
export const RETENTION_BATCH_SIZE = 2_000;

/**
 * Deletes expired events, chain by chain, each chain in batches of its own
 * short transactions (a first run over years of history must neither hold an
 * org's chain lock, which every audited change waits for, nor one transaction
 * for long). Returns how many.
 */
export async function deleteExpiredChainPrefixes(db: Database, cutoff: Date, now: Date, batchSize = RETENTION_BATCH_SIZE): Promise<number> {
  // Events from before the chain are removed by their time alone.
  let deleted = await deleteInBatches(db, "audit_event", sql`seq is null and created_at < ${cutoff}`, { batchSize });
  // The chains whose first event has expired: one index probe per chain, in
  // one statement (a transaction per org every ten minutes would grow with
  // the number of orgs, most of them with nothing to remove).
  const { rows: orgs } = await sql<{ org_id: string }>`
    select c.org_id from audit_chain c
    where exists (select 1 from audit_event e where e.org_id = c.org_id and e.seq = c.start_seq and e.created_at < ${cutoff})
    order by c.org_id`.execute(db);
  for (const { org_id: orgId } of orgs) {
    for (let movedEarlier = false; ; movedEarlier = true) {
      const batch = await inTransaction(db, (tx) => removeExpiredBatch(tx, orgId, cutoff, now, batchSize, movedEarlier));
      deleted += batch.removed;
      if (!batch.more) break;
    }
  }
  return deleted;
}

const inTransaction = <T>(db: Database, work: (tx: Database) => Promise<T>) => (db.isTransaction ? work(db) : db.transaction().execute(work));

/**
 * Looks at the chain's next `batchSize` events from its start: removes those
 * before the first one still within the period (all of them, if none is, and
 * says there may be more). The chain row moves its start with each batch; the
 * checkpoint that states the new start is recorded once, when the prefix ends.
 */
async function removeExpiredBatch(tx: Database, orgId: string, cutoff: Date, now: Date, batchSize: number, movedEarlier: boolean): Promise<{ removed: number; more: boolean }> {
  const head = await lockChainHead(tx, orgId);
  if (!head) return { removed: 0, more: false };
  const checkpoint = (start: string, startPrevHash: string | null) =>
    recordCheckpoint(tx, orgId, { ...head, start_seq: start, start_prev_hash: startPrevHash }, { reason: "retention", removed_through_seq: Number(start) - 1 }, now);
  const { rows: window } = await sql<{ seq: string; expired: boolean }>`
    select seq::text as seq, created_at < ${cutoff} as expired from audit_event
    where org_id = ${orgId} and seq >= ${head.start_seq}::bigint order by seq limit ${batchSize}`.execute(tx);
  const firstKept = window.find((event) => !event.expired);
  const prefixEnds = firstKept !== undefined || window.length < batchSize;
  const newStart = firstKept ? Number(firstKept.seq) : window.length > 0 ? Number(window.at(-1)!.seq) + 1 : Number(head.start_seq);
  if (newStart <= Number(head.start_seq)) {
    // The first event is still within the period: nothing (more) to remove. A
    // prefix that ended exactly at the last batch's edge still gets its checkpoint.
    if (movedEarlier) await checkpoint(head.start_seq, head.start_prev_hash);
    return { removed: 0, more: false };
  }
  const { rows } = await sql<{ hash: string | null }>`
    select encode(hash, 'hex') as hash from audit_event where org_id = ${orgId} and seq = ${newStart - 1}::bigint`.execute(tx);
  const lastRemovedHash = rows[0]?.hash ?? null;
  const removed = await tx
    .deleteFrom("audit_event")
    .where("org_id", "=", orgId)
    .where("seq", ">=", head.start_seq)
    .where("seq", "<", String(newStart))
    .executeTakeFirst();
  await tx.updateTable("audit_chain").set({ start_seq: newStart, start_prev_hash: lastRemovedHash === null ? null : Buffer.from(lastRemovedHash, "hex") }).where("org_id", "=", orgId).execute();
  if (prefixEnds) await checkpoint(String(newStart), lastRemovedHash);
  return { removed: Number(removed.numDeletedRows), more: !prefixEnds };
}
