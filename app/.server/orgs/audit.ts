// The org's audit history: who did what, when, from where. Written in the same
// transaction as the change it records. Metadata only — never passwords,
// tokens or content.
import { sql } from "kysely";
import type { Database } from "../db";

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
  await tx
    .insertInto("audit_event")
    .values({
      org_id: input.orgId,
      actor_id: input.actor.userId,
      actor_label: input.actor.label,
      action: input.action,
      target: input.target ?? null,
      ip: input.ip ?? null,
      metadata: JSON.stringify(input.metadata ?? {}),
      ...(input.at ? { created_at: input.at } : {}),
    })
    .execute();
}

export type AuditFilter = { action?: string; actor?: string; from?: Date; to?: Date };

function parseDay(value: string | null, endOfDay = false): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  return endOfDay ? new Date(date.getTime() + 86_400_000) : date;
}

/** The history page's and the export's filters, from a query string (bad values are ignored). */
export function parseAuditFilter(search: URLSearchParams): AuditFilter {
  return {
    action: search.get("action")?.slice(0, 100) || undefined,
    actor: search.get("actor")?.slice(0, 200) || undefined,
    from: parseDay(search.get("from")),
    to: parseDay(search.get("to"), true),
  };
}

/**
 * One page of an org's events, newest first. The cursor is the last id seen;
 * the org id is always part of the query, so a cursor taken from another org
 * only ever pages through this org's rows.
 */
export async function listAuditEvents(db: Database, orgId: string, filter: AuditFilter, page: { before?: string; limit: number }) {
  let query = db
    .selectFrom("audit_event")
    .select(["id", "actor_id", "actor_label", "action", "target", "ip", "metadata", "created_at"])
    .where("org_id", "=", orgId);
  if (filter.action) query = query.where("action", "=", filter.action);
  if (filter.actor) query = query.where("actor_label", "ilike", `%${filter.actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (filter.from) query = query.where("created_at", ">=", filter.from);
  if (filter.to) query = query.where("created_at", "<", filter.to);
  if (page.before && /^\d{1,18}$/.test(page.before)) query = query.where("id", "<", page.before);
  const rows = await query.orderBy("id", "desc").limit(page.limit + 1).execute();
  const hasMore = rows.length > page.limit;
  const events = rows.slice(0, page.limit);
  return { events, nextCursor: hasMore ? String(events.at(-1)!.id) : null };
}

export async function distinctActions(db: Database, orgId: string): Promise<string[]> {
  const rows = await db.selectFrom("audit_event").select("action").distinct().where("org_id", "=", orgId).orderBy("action").execute();
  return rows.map((r) => r.action);
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

/** Deletes events older than the retention period, for the scheduled job. */
export async function deleteExpiredAuditEvents(db: Database, retentionDays: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const result = await db.deleteFrom("audit_event").where("created_at", "<", cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
