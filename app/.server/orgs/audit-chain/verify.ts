// Recomputes an org's chain from where it starts to its head, in keyset
// batches by seq (the unique (org_id, seq) index): memory stays flat and each
// batch costs the same at any size. Stops at the first event that does not
// match and names it.
import { sql } from "kysely";
import type { Database } from "../../db";
import { SecretDecryptionError } from "../../secrets";
import { checkFields, eventHash } from "./seal";
import { openOrgKey } from "./org-key";

export type ChainBreak = { id: string | null; seq: number; reason: string };

export type ChainReport = {
  ok: boolean;
  /** Events checked (all of the chain when ok). */
  checked: number;
  /** Where the chain held in the table starts (retention moves it forward) and its head. */
  startSeq: number | null;
  headSeq: number | null;
  headHash: string | null;
  /** Events from before the chain existed (the upgrade), which it does not cover. */
  unchained: number;
  /** Values the purge replaced (a person erased): allowed, counted. */
  erasedValues: number;
  failure: ChainBreak | null;
};

type ChainRow = {
  id: string;
  seq: string;
  created_at: string;
  action: string;
  actor_id: string | null;
  actor_label: string;
  target: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
  prev_hash: string | null;
  hash: string | null;
  commitments: string | null;
};

/** The time as the hash and the exports write it (ISO, milliseconds, UTC). */
export const ISO_TIME = sql<string>`to_char(audit_event.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** An org's chained events from `afterSeq` on, in order. */
export async function chainBatch(db: Database, orgId: string, afterSeq: number, limit: number): Promise<ChainRow[]> {
  const { rows } = await sql<ChainRow>`
    select audit_event.id::text as id, seq::text as seq, ${ISO_TIME} as created_at, action, actor_id::text as actor_id, actor_label, target, ip, metadata,
      encode(prev_hash, 'hex') as prev_hash, encode(hash, 'hex') as hash, encode(commitments, 'hex') as commitments
    from audit_event where org_id = ${orgId} and seq is not null and seq > ${afterSeq}::bigint
    order by audit_event.seq limit ${limit}`.execute(db);
  return rows;
}

const FIELD_WORDS = { actor_id: "actor id", actor: "actor", target: "target", ip: "IP address", metadata: "details" } as const;

export async function verifyAuditChain(db: Database, orgId: string, options: { batchSize?: number } = {}): Promise<ChainReport> {
  const batchSize = options.batchSize ?? 2_000;
  const head = await db
    .selectFrom("audit_chain")
    .select([sql<string>`seq::text`.as("seq"), sql<string | null>`encode(head_hash, 'hex')`.as("head_hash"), sql<string>`start_seq::text`.as("start_seq"), sql<string | null>`encode(start_prev_hash, 'hex')`.as("start_prev_hash"), "mac_key"])
    .where("org_id", "=", orgId)
    .executeTakeFirst();
  const unchained = await db.selectFrom("audit_event").select((eb) => eb.fn.countAll<string>().as("n")).where("org_id", "=", orgId).where("seq", "is", null).executeTakeFirstOrThrow();
  const report: ChainReport = { ok: true, checked: 0, startSeq: null, headSeq: null, headHash: null, unchained: Number(unchained.n), erasedValues: 0, failure: null };
  const fail = (failure: ChainBreak): ChainReport => ({ ...report, ok: false, failure });
  if (!head) return report;
  report.startSeq = Number(head.start_seq);
  report.headSeq = Number(head.seq);
  report.headHash = head.head_hash;

  let orgKey: Buffer;
  try {
    orgKey = openOrgKey(orgId, head.mac_key);
  } catch (error) {
    if (!(error instanceof SecretDecryptionError)) throw error;
    return fail({ id: null, seq: report.startSeq, reason: `the organization's chain key cannot be opened (${error.message})` });
  }

  let expectedSeq = report.startSeq;
  let expectedPrev = head.start_prev_hash;
  let firstId: string | null = null;
  for (;;) {
    const rows = await chainBatch(db, orgId, expectedSeq - 1, batchSize);
    for (const row of rows) {
      const seq = Number(row.seq);
      firstId ??= row.id;
      if (seq !== expectedSeq) {
        const missing = seq - expectedSeq === 1 ? `event ${expectedSeq} of the chain is missing` : `events ${expectedSeq} to ${seq - 1} of the chain are missing`;
        return fail({ id: row.id, seq, reason: `${missing} (deleted) before this one` });
      }
      if (row.prev_hash !== expectedPrev) return fail({ id: row.id, seq, reason: "it does not follow the event before it (its previous hash was changed)" });
      if (row.commitments === null || row.hash === null) return fail({ id: row.id, seq, reason: "its seal was removed" });
      const commitments = Buffer.from(row.commitments, "hex");
      const checks = checkFields(orgKey, seq, { actorId: row.actor_id, actor: row.actor_label, target: row.target, ip: row.ip, metadata: row.metadata }, commitments);
      const changed = checks.find((check) => check.state === "changed");
      if (changed) return fail({ id: row.id, seq, reason: `its ${FIELD_WORDS[changed.field]} was changed` });
      report.erasedValues += checks.filter((check) => check.state === "erased").length;
      const hash = eventHash({ seq, createdAt: row.created_at, action: row.action, commitments: row.commitments, prevHash: row.prev_hash });
      if (hash !== row.hash) return fail({ id: row.id, seq, reason: "its time, action or hash was changed" });
      report.checked++;
      expectedSeq++;
      expectedPrev = hash;
    }
    if (rows.length < batchSize) break;
  }
  if (expectedSeq - 1 > report.headSeq) return fail({ id: null, seq: report.headSeq, reason: "the chain's head was moved back" });
  if (expectedSeq - 1 < report.headSeq) {
    const missing = report.headSeq === expectedSeq ? `the newest event (${report.headSeq}) of the chain is missing` : `the newest events (${expectedSeq} to ${report.headSeq}) of the chain are missing`;
    return fail({ id: null, seq: expectedSeq, reason: `${missing} (deleted)` });
  }
  if (expectedPrev !== report.headHash) return fail({ id: null, seq: report.headSeq, reason: "the chain's head does not match its newest event" });
  // An unsealed event added after the chain began was written around it.
  if (firstId !== null) {
    const intruder = await db.selectFrom("audit_event").select(sql<string>`id::text`.as("id")).where("org_id", "=", orgId).where("seq", "is", null).where("audit_event.id", ">", firstId).orderBy("audit_event.id").limit(1).executeTakeFirst();
    if (intruder) return fail({ id: intruder.id, seq: 0, reason: "it is not in the chain: it was added without being sealed" });
  }
  return report;
}
