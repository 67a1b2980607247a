// Checkpoints: an audit event, `audit.checkpoint`, that states the chain's
// head (seq and hash) and where the chain held in the table starts. Being an
// audit event it is itself chained, and it goes out with every other event on
// the org's `audit.event` stream, so whoever receives that stream holds the
// org's hashes outside our database: a rewrite of the history is caught by
// comparing them (docs/audit.md).
//
// Recorded periodically for orgs with events since their last one, and by
// retention whenever it removes the oldest events (the new start).
import { sql } from "kysely";
import type { Database } from "../../db";
import { recordAuditEvent } from "../audit";
import { resealedOrgKey } from "./org-key";

export const CHECKPOINT_ACTION = "audit.checkpoint";
export const CHECKPOINT_ACTOR = { userId: null, label: "Gatehouse" } as const;
/** An org with new events gets a checkpoint at most this often. */
export const CHECKPOINT_INTERVAL_MS = 60 * 60 * 1000;

type LockedHead = { seq: string; head_hash: string | null; start_seq: string; start_prev_hash: string | null; mac_key: string };

/** The org's chain row, locked for this transaction; null when another process holds it (skipLocked) or it has no chain. */
export async function lockChainHead(tx: Database, orgId: string, options: { skipLocked?: boolean; dueBefore?: Date } = {}): Promise<LockedHead | null> {
  const { rows } = await sql<LockedHead>`
    select seq::text as seq, encode(head_hash, 'hex') as head_hash, start_seq::text as start_seq, encode(start_prev_hash, 'hex') as start_prev_hash, mac_key
    from audit_chain where org_id = ${orgId}
    ${options.dueBefore ? sql`and seq > checkpoint_seq and (checkpoint_at is null or checkpoint_at <= ${options.dueBefore})` : sql``}
    for update ${options.skipLocked ? sql`skip locked` : sql``}`.execute(tx);
  return rows[0] ?? null;
}

/** Records the checkpoint of a locked head, in the caller's transaction. */
export async function recordCheckpoint(tx: Database, orgId: string, head: LockedHead, extra: Record<string, unknown> = {}, at?: Date): Promise<void> {
  await recordAuditEvent(tx, {
    orgId,
    actor: CHECKPOINT_ACTOR,
    action: CHECKPOINT_ACTION,
    target: `event ${head.seq}`,
    metadata: { seq: Number(head.seq), hash: head.head_hash, start_seq: Number(head.start_seq), start_prev_hash: head.start_prev_hash, ...extra },
    at,
  });
  await sql`update audit_chain set checkpoint_seq = seq, checkpoint_at = ${at ?? sql`now()`} where org_id = ${orgId}`.execute(tx);
}

/**
 * One pass of the periodic job: a checkpoint for each org with events since
 * its last one and none in the last interval, up to `limit` orgs. Each org is
 * its own short transaction; its chain row is claimed with SKIP LOCKED and the
 * conditions are checked again under the lock, so two processes running this
 * at once never record one org's checkpoint twice. The org's key moves to the
 * current SECRETS_KEY at the same time (rotation).
 */
export async function recordDueCheckpoints(db: Database, options: { now?: Date; limit?: number } = {}): Promise<{ recorded: number }> {
  const now = options.now ?? new Date();
  const dueBefore = new Date(now.getTime() - CHECKPOINT_INTERVAL_MS);
  const due = await db
    .selectFrom("audit_chain")
    .select("org_id")
    .where(sql<boolean>`seq > checkpoint_seq`)
    .where((eb) => eb.or([eb("checkpoint_at", "is", null), eb("checkpoint_at", "<=", dueBefore)]))
    .orderBy("org_id")
    .limit(options.limit ?? 500)
    .execute();
  let recorded = 0;
  for (const { org_id: orgId } of due) {
    recorded += await db.transaction().execute(async (tx) => {
      const head = await lockChainHead(tx, orgId, { skipLocked: true, dueBefore });
      if (!head) return 0;
      const resealed = resealedOrgKey(orgId, head.mac_key);
      if (resealed) await tx.updateTable("audit_chain").set({ mac_key: resealed }).where("org_id", "=", orgId).execute();
      await recordCheckpoint(tx, orgId, head, { reason: "periodic" }, options.now);
      return 1;
    });
  }
  return { recorded };
}
