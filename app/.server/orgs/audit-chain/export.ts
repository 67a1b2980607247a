// What the JSON export adds to each event so that a customer can verify it
// offline (the script in docs/audit.md): the event's place in the chain, its
// hashes, its commitments and, for each value that still matches its
// commitment, that field's key. An erased value's key is withheld: given out,
// it would let anyone test a guess of what was erased.
import type { Database } from "../../db";
import type { AuditExportRow } from "../audit-history";
import { checkFields } from "./seal";
import { openOrgKey } from "./org-key";

/** The org's chain key, or null when it has no chain yet. */
export async function orgChainKey(db: Database, orgId: string): Promise<Buffer | null> {
  const chain = await db.selectFrom("audit_chain").select("mac_key").where("org_id", "=", orgId).executeTakeFirst();
  return chain ? openOrgKey(orgId, chain.mac_key) : null;
}

/** The `"seq":…,"actor_id":…` and `"chain":{…}` parts of an exported event, as JSON text. */
export function exportedChainFields(orgKey: Buffer | null, row: AuditExportRow): { seq: string; actorId: string; chain: string } {
  const actorId = JSON.stringify(row.actorId);
  if (!orgKey || row.seq === null || row.commitments === null) return { seq: "null", actorId, chain: "null" };
  const seq = Number(row.seq);
  const metadata = JSON.parse(row.metadataJson) as Record<string, unknown>;
  const checks = checkFields(orgKey, seq, { actorId: row.actorId, actor: row.actor, target: row.target, ip: row.ip, metadata }, Buffer.from(row.commitments, "hex"));
  const keys = checks.map((check) => (check.state === "open" ? check.key.toString("hex") : null));
  return {
    seq: String(seq),
    actorId,
    chain: `{"prev_hash":${JSON.stringify(row.prevHash)},"hash":${JSON.stringify(row.hash)},"commitments":${JSON.stringify(row.commitments)},"keys":${JSON.stringify(keys)}}`,
  };
}
