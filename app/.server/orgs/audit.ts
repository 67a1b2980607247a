// The org's audit history: who did what, when, from where. Written in the same
// transaction as the change it records. Metadata only — never passwords,
// tokens or content.
import { sql } from "kysely";
import type { Database } from "../db";
import { insertChainedAuditEvent } from "./audit-chain/append";
import { deleteExpiredChainPrefixes } from "./audit-chain/retention";
import { auditEventRecorded } from "../events/domain-events";

export type Actor = { userId: string | null; label: string };

export type AuditInput = {
  orgId: string;
  actor: Actor;
  action: string;
  target?: string | null;
  ip?: string | null;
  metadata?: Record<string, unknown>;
  at?: Date;
};

export const MAX_METADATA_BYTES = 4096;

export async function recordAuditEvent(tx: Database, input: AuditInput): Promise<void> {
  // The chain link and the outbound event commit together; /api/v1 passes the pool, not a transaction.
  if (!tx.isTransaction) return tx.transaction().execute((trx) => recordAuditEvent(trx, input));
  // Sealed into the org's hash chain as it is inserted (audit-chain/, docs/audit.md).
  await insertChainedAuditEvent(tx, {
    org_id: input.orgId,
    actor_id: input.actor.userId,
    actor_label: input.actor.label,
    action: input.action,
    target: input.target ?? null,
    ip: input.ip ?? null,
    metadata: input.metadata ?? {},
    ...(input.at ? { created_at: input.at } : {}),
  });
  await auditEventRecorded(tx, input);
}

/** The person's email and name leave the org's history; the events stay. */
export async function anonymizeActor(tx: Database, userId: string, orgId?: string): Promise<void> {
  let query = tx
    .updateTable("audit_event")
    .set({ actor_label: sql<string>`'Deleted user #' || left(replace(${userId}::text, '-', ''), 8)`, actor_id: null })
    .where("actor_id", "=", userId);
  if (orgId) query = query.where("org_id", "=", orgId);
  await query.execute();
}

/**
 * Deletes events older than the retention period, for the scheduled job: the
 * oldest part of each org's chain, whose new start a checkpoint records.
 */
export async function deleteExpiredAuditEvents(db: Database, retentionDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  return deleteExpiredChainPrefixes(db, cutoff, now);
}
