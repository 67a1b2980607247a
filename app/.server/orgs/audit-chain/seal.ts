// What an audit event's hash covers, and how the personal parts are committed
// to without being hashed in the clear. Pure functions, shared by the append,
// the verification, the export and (written out again in plain JavaScript)
// the offline script in docs/audit.md: a change here is a change of format.
//
// hash = SHA-256 of the canonical JSON of
//   [1, seq, created_at (ISO, ms), action, commitments (hex), prev_hash (hex or null)]
// commitments = five 16-byte keyed hashes, of: actor id, actor label, target,
//   ip, metadata (canonical JSON); 16 zero bytes for a value that was null.
// Each is HMAC-SHA-256(field key, value), and each field key is
//   HMAC-SHA-256(the org's key, "gatehouse audit field\0<seq>\0<field>"),
// so the export can hand out the key of one field of one event (to check that
// value offline) without revealing anything about any other.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const CHAIN_FORMAT = 1;
export const CHAIN_FIELDS = ["actor_id", "actor", "target", "ip", "metadata"] as const;
export type ChainField = (typeof CHAIN_FIELDS)[number];
const MAC_BYTES = 16;
const NULL_COMMITMENT = Buffer.alloc(MAC_BYTES);

/** What the purge leaves in place of a person: null, or their anonymous label. Both may replace a committed value. */
export const ERASED_VALUE = /^Deleted user #[0-9a-f]{8}$/;

/** JSON with object keys sorted, so PostgreSQL's jsonb and a JavaScript object give the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export type ChainedValues = { actorId: string | null; actor: string | null; target: string | null; ip: string | null; metadata: Record<string, unknown> };

/** The five committed values, in CHAIN_FIELDS order. */
export function committedValues(values: ChainedValues): Array<string | null> {
  return [values.actorId, values.actor, values.target, values.ip, canonicalJson(values.metadata)];
}

const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text, "utf8").digest();

export function fieldKey(orgKey: Buffer, seq: number, field: ChainField): Buffer {
  return hmac(orgKey, `gatehouse audit field\0${seq}\0${field}`).subarray(0, MAC_BYTES);
}

function commitment(key: Buffer, value: string | null): Buffer {
  return value === null ? NULL_COMMITMENT : hmac(key, value).subarray(0, MAC_BYTES);
}

/** The 80 bytes an event stores and its hash covers. */
export function commitmentsFor(orgKey: Buffer, seq: number, values: ChainedValues): Buffer {
  return Buffer.concat(committedValues(values).map((value, i) => commitment(fieldKey(orgKey, seq, CHAIN_FIELDS[i]!), value)));
}

export type FieldCheck = { field: ChainField; state: "open"; key: Buffer } | { field: ChainField; state: "null" | "erased" | "changed" };

/**
 * Each field's value against its commitment: "open" (it matches; its key can
 * be given out), "null" (null, and committed as null), "erased" (the purge
 * replaced it) or "changed" (anything else: tampering).
 */
export function checkFields(orgKey: Buffer, seq: number, values: ChainedValues, commitments: Buffer): FieldCheck[] {
  return committedValues(values).map((value, i) => {
    const field = CHAIN_FIELDS[i]!;
    const stored = commitments.subarray(i * MAC_BYTES, (i + 1) * MAC_BYTES);
    if (stored.equals(NULL_COMMITMENT)) return { field, state: value === null ? "null" : "changed" };
    const key = fieldKey(orgKey, seq, field);
    if (value !== null && stored.length === MAC_BYTES && timingSafeEqual(commitment(key, value), stored)) return { field, state: "open", key };
    return { field, state: value === null || ERASED_VALUE.test(value) ? "erased" : "changed" };
  });
}

export type HashedContent = { seq: number; createdAt: string; action: string; commitments: string; prevHash: string | null };

/** The event's hash, hex. */
export function eventHash(content: HashedContent): string {
  const text = canonicalJson([CHAIN_FORMAT, content.seq, content.createdAt, content.action, content.commitments, content.prevHash]);
  return createHash("sha256").update(text, "utf8").digest("hex");
}
