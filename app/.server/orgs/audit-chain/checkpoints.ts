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
import { getKeyring } from "../../secrets";
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
    ${options.dueBefore ? sql`and seq > checkpoint_seq and coalesce(checkpoint_at, created_at) <= ${options.dueBefore}` : sql``}
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
export async function recordDueCheckpoints(db: Database, options: { now?: Date; batchSize?: number } = {}): Promise<{ recorded: number }> {
  const now = options.now ?? new Date();
  const dueBefore = new Date(now.getTime() - CHECKPOINT_INTERVAL_MS);
  const batchSize = options.batchSize ?? 500;
  let recorded = 0;
  let after: string | null = null;
  for (;;) {
    // Through the partial index of orgs with events since their checkpoint, in org id order.
    let query = db
      .selectFrom("audit_chain")
      .select("org_id")
      .where(sql<boolean>`seq > checkpoint_seq`)
      // An interval after the last checkpoint, or after the chain began: a new
      // org's history is not sealed in its first hour, while it is being set up.
      .where(sql<boolean>`coalesce(checkpoint_at, created_at) <= ${dueBefore}`);
    if (after) query = query.where("org_id", ">", after);
    const due = await query.orderBy("org_id").limit(batchSize).execute();
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
    if (due.length < batchSize) return { recorded };
    after = due.at(-1)!.org_id;
  }
}

/**
 * After SECRETS_KEY is rotated: every org's chain key sealed under an older
 * key, sealed again under the current one (batches of `batchSize`, each org
 * under its chain row's lock). Run with the checkpoints; once it has found
 * nothing, the old key can leave SECRETS_KEY as far as audit chains go.
 */
export async function resealStaleOrgKeys(db: Database, batchSize = 500): Promise<{ resealed: number }> {
  const current = `v1.${getKeyring().current.id}.%`;
  let resealed = 0;
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const stale = await db.selectFrom("audit_chain").select("org_id").where("mac_key", "not like", current).where("org_id", ">", after).orderBy("org_id").limit(batchSize).execute();
    for (const { org_id: orgId } of stale) {
      resealed += await db.transaction().execute(async (tx) => {
        const head = await lockChainHead(tx, orgId);
        const again = head && resealedOrgKey(orgId, head.mac_key);
        if (again) await tx.updateTable("audit_chain").set({ mac_key: again }).where("org_id", "=", orgId).execute();
        return again ? 1 : 0;
      });
    }
    if (stale.length < batchSize) return { resealed };
    after = stale.at(-1)!.org_id;
  }
}
