// Reading an org's audit history: the page, the API and the exports. Newest
// first by (created_at, id), with keyset cursors: each query starts where the
// last one stopped, through an index that matches the sort and the filter
// (audit_event_org_*_created_at_id_idx), so the cost of a page does not grow
// with the history (docs/scale.md).
//
// The page then shows each event as a sentence (presentAuditEvents, at the
// end): the actor's current name and, where the actor or the object still
// exists in this org, a link to it.
import { sql } from "kysely";
import type { Database } from "../db";
import { apiKeyPrefix, describeAuditEvent, type AuditObjectKind } from "../../utils/audit-sentence";
import { normalizeEmail } from "../../utils/email-address";

export type AuditFilter = { action?: string; actorId?: string; from?: Date; to?: Date };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EVENT_ID = /^\d{1,18}$/;

function parseDay(value: string | null, endOfDay = false): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  return endOfDay ? new Date(date.getTime() + 86_400_000) : date;
}

/**
 * The page's and the exports' filters, from a query string (bad values are
 * ignored). The actor is a member's user id, as the page's actor picker sends it.
 */
export function parseAuditFilter(search: URLSearchParams): AuditFilter {
  const actor = search.get("actor") ?? "";
  return {
    action: search.get("action")?.slice(0, 100) || undefined,
    actorId: UUID.test(actor) ? actor.toLowerCase() : undefined,
    from: parseDay(search.get("from")),
    to: parseDay(search.get("to"), true),
  };
}

const COLUMNS = ["id", "actor_id", "actor_label", "action", "target", "ip", "metadata", "created_at"] as const;

function filtered(db: Database, orgId: string, filter: AuditFilter) {
  let query = db.selectFrom("audit_event").where("audit_event.org_id", "=", orgId);
  if (filter.action) query = query.where("audit_event.action", "=", filter.action);
  if (filter.actorId) query = query.where("audit_event.actor_id", "=", filter.actorId);
  if (filter.from) query = query.where("audit_event.created_at", ">=", filter.from);
  if (filter.to) query = query.where("audit_event.created_at", "<", filter.to);
  return query;
}

/**
 * One page of an org's events, newest first. The cursor is the id of the last
 * event shown (the API's contract); the page resumes just past that event's
 * (created_at, id). The org id is part of every lookup, so a cursor taken from
 * another org pages through nothing.
 */
export async function listAuditEvents(db: Database, orgId: string, filter: AuditFilter, page: { before?: string; limit: number }) {
  let query = filtered(db, orgId, filter).select(COLUMNS);
  if (page.before !== undefined) {
    if (!EVENT_ID.test(page.before)) return { events: [], nextCursor: null };
    const before = page.before;
    query = query.where(
      sql<boolean>`(audit_event.created_at, audit_event.id) < (select c.created_at, c.id from audit_event c where c.id = ${before} and c.org_id = ${orgId})`,
    );
  }
  const rows = await query.orderBy("audit_event.created_at", "desc").orderBy("audit_event.id", "desc").limit(page.limit + 1).execute();
  const hasMore = rows.length > page.limit;
  const events = rows.slice(0, page.limit);
  return { events, nextCursor: hasMore ? String(events.at(-1)!.id) : null };
}

/** An event as the exports write it: text as PostgreSQL gives it (the metadata as JSON text), so a million rows cost no object churn. */
export type AuditExportRow = {
  id: string;
  created_at: string;
  actor: string;
  action: string;
  target: string | null;
  ip: string | null;
  metadataJson: string;
  /** The event's place in the org's hash chain, as text (null before the chain), and what the JSON export needs to verify it (audit-chain/export.ts). */
  seq: string | null;
  actorId: string | null;
  prevHash: string | null;
  hash: string | null;
  commitments: string | null;
};

/**
 * Every event that matches, newest first, in batches: for the exports, which
 * stream each batch to the client before reading the next. The position is
 * kept as the exact (created_at, id) of the last row (created_at as text, so
 * no microsecond is lost in a JavaScript Date), so a row deleted meanwhile
 * (retention) cannot end the walk early, and rows added meanwhile (newer than
 * the start) are not mixed in.
 */
export async function* auditEventBatches(db: Database, orgId: string, filter: AuditFilter, batchSize = 2_000): AsyncGenerator<AuditExportRow[]> {
  let after: { at: string; id: string } | null = null;
  for (;;) {
    let query = filtered(db, orgId, filter).select([
      sql<string>`audit_event.id::text`.as("id"),
      sql<string>`to_char(audit_event.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`.as("time"),
      "audit_event.actor_label",
      "audit_event.action",
      "audit_event.target",
      "audit_event.ip",
      sql<string>`audit_event.metadata::text`.as("metadata_json"),
      sql<string>`audit_event.created_at::text`.as("position"),
      sql<string | null>`audit_event.seq::text`.as("seq"),
      sql<string | null>`audit_event.actor_id::text`.as("actor_id"),
      sql<string | null>`encode(audit_event.prev_hash, 'hex')`.as("prev_hash"),
      sql<string | null>`encode(audit_event.hash, 'hex')`.as("hash"),
      sql<string | null>`encode(audit_event.commitments, 'hex')`.as("commitments"),
    ]);
    if (after) query = query.where(sql<boolean>`(audit_event.created_at, audit_event.id) < (${after.at}::timestamptz, ${after.id}::bigint)`);
    const rows = await query.orderBy("audit_event.created_at", "desc").orderBy("audit_event.id", "desc").limit(batchSize).execute();
    if (rows.length === 0) return;
    yield rows.map((e) => ({
      id: e.id,
      created_at: e.time,
      actor: e.actor_label,
      action: e.action,
      target: e.target,
      ip: e.ip,
      metadataJson: e.metadata_json,
      seq: e.seq,
      actorId: e.actor_id,
      prevHash: e.prev_hash,
      hash: e.hash,
      commitments: e.commitments,
    }));
    if (rows.length < batchSize) return;
    const last = rows.at(-1)!;
    after = { at: last.position, id: last.id };
  }
}

/** The members the actor filter offers, when there are few enough to list; otherwise null (the page asks for an email). */
export async function actorChoices(db: Database, orgId: string, max = 200): Promise<Array<{ id: string; label: string }> | null> {
  // Too many to list? Asked first through the membership index alone: sorting
  // a big org's members by email to find out cost ~20 ms at 10k members.
  const some = await db.selectFrom("membership").select("user_id").where("org_id", "=", orgId).limit(max + 1).execute();
  if (some.length > max) return null;
  const rows = await db
    .selectFrom("membership")
    .innerJoin("user", "user.id", "membership.user_id")
    .select(["user.id", "user.email", "user.name"])
    .where("membership.org_id", "=", orgId)
    .orderBy("user.email")
    .limit(max)
    .execute();
  return rows.map((r) => ({ id: r.id, label: r.name ? `${r.name} (${r.email})` : r.email }));
}

/** A member of the org by email (exactly, as stored: normalised), for the actor filter of a big org. */
export async function findMemberByEmail(db: Database, orgId: string, email: string): Promise<{ id: string; label: string } | null> {
  const normalized = normalizeEmail(email);
  if (!normalized.ok) return null;
  const row = await db
    .selectFrom("membership")
    .innerJoin("user", "user.id", "membership.user_id")
    .select(["user.id", "user.email", "user.name"])
    .where("membership.org_id", "=", orgId)
    .where("user.email", "=", normalized.email)
    .executeTakeFirst();
  return row ? { id: row.id, label: row.name ? `${row.name} (${row.email})` : row.email } : null;
}

/** The label of the member a filter names, to show it back. */
export async function memberLabel(db: Database, orgId: string, userId: string): Promise<string | null> {
  const row = await db
    .selectFrom("membership")
    .innerJoin("user", "user.id", "membership.user_id")
    .select(["user.email", "user.name"])
    .where("membership.org_id", "=", orgId)
    .where("user.id", "=", userId)
    .executeTakeFirst();
  return row ? (row.name ? `${row.name} (${row.email})` : row.email) : null;
}

// ---- The page's view of a page of events ----------------------------------
// Each event with the actor's current name and, where the actor or the object
// still exists in this org, a link to it. A handful of lookups per page, all
// scoped to the org, so an event can never link into another org's data.

type EventRow = { id: string | number; actor_id: string | null; actor_label: string; action: string; target: string | null; ip: string | null; metadata: Record<string, unknown>; created_at: Date };

export type AuditHistoryItem = {
  id: string;
  actor: { label: string; href: string | null };
  verb: string;
  object: { label: string; href: string | null } | null;
  tail: string;
  action: string;
  target: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
};

/** A page of events (as listAuditEvents gives them) as sentences with links, for the audit page. */
export async function presentAuditEvents(db: Database, org: { id: string; slug: string }, events: EventRow[], options: { billingPage: boolean }): Promise<AuditHistoryItem[]> {
  const sentences = events.map((e) => describeAuditEvent({ action: e.action, target: e.target, metadata: e.metadata ?? {} }));
  const actorIds = [...new Set(events.map((e) => e.actor_id).filter((id): id is string => id !== null))];
  const emails = [...new Set(events.filter((_, i) => ["person", "invitation"].includes(sentences[i]!.objectKind)).map((e) => e.target).filter((t): t is string => !!t))];
  const prefixes = [...new Set(events.filter((_, i) => sentences[i]!.objectKind === "api-key" || events[i]!.action === "api_key.first_used").map((e) => apiKeyPrefix(e.target)).filter((p): p is string => !!p))];

  const [actors, people, invitations, keys] = await Promise.all([
    actorIds.length === 0
      ? []
      : db.selectFrom("membership").innerJoin("user", "user.id", "membership.user_id").select(["user.id", "user.name", "user.email"]).where("membership.org_id", "=", org.id).where("user.id", "in", actorIds).execute(),
    emails.length === 0
      ? []
      : db.selectFrom("membership").innerJoin("user", "user.id", "membership.user_id").select(["user.email", "user.name"]).where("membership.org_id", "=", org.id).where("user.email", "in", emails).execute(),
    emails.length === 0
      ? []
      : db.selectFrom("org_invitation").select("email").where("org_id", "=", org.id).where("email", "in", emails).where("accepted_at", "is", null).where("revoked_at", "is", null).execute(),
    prefixes.length === 0 ? [] : db.selectFrom("api_key").select("prefix").where("org_id", "=", org.id).where("prefix", "in", prefixes).execute(),
  ]);
  const members = new Map(actors.map((a) => [a.id, a]));
  const peopleByEmail = new Map(people.map((p) => [p.email, p]));
  const pendingInvites = new Set(invitations.map((i) => i.email));
  const keyPrefixes = new Set(keys.map((k) => k.prefix));
  const base = `/orgs/${org.slug}`;

  const objectHref = (kind: AuditObjectKind, target: string | null): string | null => {
    if (!target) return null;
    switch (kind) {
      case "person":
        return peopleByEmail.has(target) ? `${base}/members` : null;
      case "invitation":
        return pendingInvites.has(target) ? `${base}/invitations` : peopleByEmail.has(target) ? `${base}/members` : null;
      case "api-key": {
        const prefix = apiKeyPrefix(target);
        return prefix && keyPrefixes.has(prefix) ? `${base}/api-keys` : null;
      }
      case "org":
        return `${base}/settings`;
      case "billing":
        return options.billingPage ? `${base}/billing` : null;
      default:
        return null;
    }
  };

  return events.map((event, i) => {
    const sentence = sentences[i]!;
    const member = event.actor_id ? members.get(event.actor_id) : undefined;
    // An API key acting: link the key while it exists.
    const keyActor = event.action === "api_key.first_used" && apiKeyPrefix(event.target) && keyPrefixes.has(apiKeyPrefix(event.target)!);
    const objectPerson = sentence.object && sentence.objectKind === "person" ? peopleByEmail.get(sentence.object) : undefined;
    return {
      id: String(event.id),
      actor: {
        label: member?.name ?? event.actor_label,
        href: member ? `${base}/members` : keyActor ? `${base}/api-keys` : null,
      },
      verb: sentence.verb,
      object: sentence.object ? { label: objectPerson?.name ? `${objectPerson.name} (${sentence.object})` : sentence.object, href: objectHref(sentence.objectKind, event.target) } : null,
      tail: sentence.tail,
      action: event.action,
      target: event.target,
      ip: event.ip,
      metadata: event.metadata ?? {},
      createdAt: event.created_at.toISOString(),
    };
  });
}
