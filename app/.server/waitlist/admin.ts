// The operator's waitlist: search, filter, sort (allow-listed columns only),
// page, export and invite. Pages use keyset cursors (never OFFSET) over
// (sort column, id), each sort served by its own index (nulls first going up,
// so the same index read backwards gives "nulls last" going down), and the
// count stops at COUNT_CAP: the cost of a page does not grow with the list.
import { sql } from "kysely";
import type { Database } from "../db";
import { containsPattern } from "../database/like-pattern";
import { narrowsByTrigrams, preferIndexes, SPARSE_MATCHES } from "../database/prefer-indexes";
import { createSignupInvitation } from "../accounts/signup-invitations";

import { FILTERS, SORTABLE } from "../../utils/waitlist-query";

export { FILTERS, SORTABLE };
export const PAGE_SIZE = 50;
/** Counting stops here: "1000+ entries" says enough, and costs a bounded scan. */
export const COUNT_CAP = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type WaitlistQuery = {
  search: string;
  filter: (typeof FILTERS)[number];
  sort: (typeof SORTABLE)[number];
  direction: "asc" | "desc";
  /** The id of the last entry of the page before (a keyset cursor), or null for the first page. */
  after: string | null;
};

/** Reads the query string, falling back to defaults for anything not on the allow-lists. */
export function parseWaitlistQuery(params: URLSearchParams): WaitlistQuery {
  const pick = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? (value as T) : fallback);
  const after = params.get("after");
  return {
    search: (params.get("q") ?? "").trim().slice(0, 200),
    filter: pick(params.get("filter"), FILTERS, "all"),
    sort: pick(params.get("sort"), SORTABLE, "created_at"),
    direction: pick(params.get("dir"), ["asc", "desc"] as const, "desc"),
    after: after && UUID.test(after) ? after.toLowerCase() : null,
  };
}

function filtered(db: Database, query: Pick<WaitlistQuery, "search" | "filter">) {
  let q = db.selectFrom("waitlist_entry");
  if (query.search) {
    // LIKE wildcards in the search text are matched literally.
    const pattern = containsPattern(query.search);
    q = q.where((eb) => eb.or([eb("email", "ilike", pattern), eb("name", "ilike", pattern), eb("company", "ilike", pattern)]));
  }
  if (query.filter === "unconfirmed") q = q.where("confirmed_at", "is", null);
  if (query.filter === "confirmed") q = q.where("confirmed_at", "is not", null);
  if (query.filter === "invited") q = q.where("invited_at", "is not", null);
  if (query.filter === "not-invited") q = q.where("invited_at", "is", null);
  return q;
}

const COLUMNS = ["id", "email", "name", "company", "ip", "user_agent", "created_at", "confirmed_at", "invited_at"] as const;

// Columns that can hold null: their pages run in two parts (the nulls, and the rest).
const NULLABLE = new Set<WaitlistQuery["sort"]>(["name", "company", "confirmed_at", "invited_at"]);

export async function listWaitlist(db: Database, query: WaitlistQuery) {
  const countMatching = (db: Database) =>
    db
      .selectFrom(filtered(db, query).select(sql`1`.as("one")).limit(COUNT_CAP + 1).as("capped"))
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
  let rows: Awaited<ReturnType<typeof pageOf>>;
  let total: number;
  if (query.search && narrowsByTrigrams(query.search)) {
    // Counted through the trigram indexes (up to COUNT_CAP + 1, which is more
    // than SPARSE_MATCHES); few matches are then read the same way and sorted,
    // many are found by walking the sort's index (prefer-indexes.ts).
    total = Number((await preferIndexes(db, countMatching)).n);
    rows = await preferIndexes(db, (tx) => pageOf(tx, query, PAGE_SIZE + 1), { bitmapOnly: total <= SPARSE_MATCHES });
  } else {
    const [page, counted] = await Promise.all([pageOf(db, query, PAGE_SIZE + 1), countMatching(db)]);
    rows = page;
    total = Number(counted.n);
  }
  const page = rows.slice(0, PAGE_SIZE);
  return {
    rows: page,
    /** The number of matching entries, up to COUNT_CAP; `totalIsAtLeast` when there are more. */
    total: Math.min(total, COUNT_CAP),
    totalIsAtLeast: total > COUNT_CAP,
    nextCursor: rows.length > PAGE_SIZE ? page.at(-1)!.id : null,
  };
}

/**
 * `limit` rows in the page's order, after the cursor. Going down the order is
 * (column desc nulls last, id desc); going up, (column asc nulls first, id asc).
 * Each part is a range of one index: the non-null values compared as a row
 * with the cursor's (value, id), the nulls by id alone.
 */
async function pageOf(db: Database, query: WaitlistQuery, limit: number) {
  const column = sql.ref(`waitlist_entry.${query.sort}`);
  const descending = query.direction === "desc";
  const nullable = NULLABLE.has(query.sort);
  let cursor: { id: string; isNull: boolean } | null = null;
  if (query.after) {
    const row = await db
      .selectFrom("waitlist_entry")
      .select(sql<boolean>`${column} is null`.as("is_null"))
      .where("id", "=", query.after)
      .executeTakeFirst();
    if (!row) return [];
    cursor = { id: query.after, isNull: row.is_null };
  }
  const cursorTuple = (id: string) => sql`(select ${sql.ref(`c.${query.sort}`)}, c.id from waitlist_entry c where c.id = ${id})`;

  const values = async (take: number) => {
    if (cursor?.isNull && descending) return []; // past the values already
    let q = filtered(db, query).select(COLUMNS);
    if (nullable) q = q.where(column, "is not", null);
    if (cursor && !cursor.isNull) q = q.where(sql<boolean>`(${column}, waitlist_entry.id) ${sql.raw(descending ? "<" : ">")} ${cursorTuple(cursor.id)}`);
    // Nulls are filtered out; saying where they would go anyway lets the
    // planner see a nullable column's index order (nulls first) as the page's.
    return q
      .orderBy(column, (ob) => (!nullable ? (descending ? ob.desc() : ob.asc()) : descending ? ob.desc().nullsLast() : ob.asc().nullsFirst()))
      .orderBy("waitlist_entry.id", descending ? "desc" : "asc")
      .limit(take)
      .execute();
  };
  const nulls = async (take: number) => {
    if (!nullable || take <= 0) return [];
    if (cursor && !cursor.isNull && !descending) return []; // past the nulls already
    let q = filtered(db, query).select(COLUMNS).where(column, "is", null);
    if (cursor?.isNull) q = q.where("waitlist_entry.id", descending ? "<" : ">", cursor.id);
    return q.orderBy("waitlist_entry.id", descending ? "desc" : "asc").limit(take).execute();
  };

  if (descending) {
    const first = await values(limit);
    return first.length < limit ? [...first, ...(await nulls(limit - first.length))] : first;
  }
  const first = await nulls(limit);
  return first.length < limit ? [...first, ...(await values(limit - first.length))] : first;
}

/** Every matching entry, oldest first, in batches by (created_at, id): for the CSV download. */
export async function* waitlistBatches(db: Database, query: Pick<WaitlistQuery, "search" | "filter">, batchSize = 2_000) {
  let after: { at: string; id: string } | null = null;
  for (;;) {
    let q = filtered(db, query).select([...COLUMNS, sql<string>`waitlist_entry.created_at::text`.as("position")]);
    if (after) q = q.where(sql<boolean>`(waitlist_entry.created_at, waitlist_entry.id) > (${after.at}::timestamptz, ${after.id}::uuid)`);
    const rows = await q.orderBy("waitlist_entry.created_at").orderBy("waitlist_entry.id").limit(batchSize).execute();
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < batchSize) return;
    after = { at: rows.at(-1)!.position, id: rows.at(-1)!.id };
  }
}

/** Emails each selected, not yet invited entry a signup link that pre-verifies its address. */
export async function inviteEntries(db: Database, ids: string[], now = new Date()): Promise<{ invited: number; skipped: number }> {
  let invited = 0;
  for (const id of ids) {
    const done = await db.transaction().execute(async (tx) => {
      const entry = await tx
        .updateTable("waitlist_entry")
        .set({ invited_at: now })
        .where("id", "=", id)
        .where("invited_at", "is", null)
        .returning("email")
        .executeTakeFirst();
      if (!entry) return false;
      await createSignupInvitation(tx, entry.email, "waitlist", now);
      return true;
    });
    if (done) invited++;
  }
  return { invited, skipped: ids.length - invited };
}
