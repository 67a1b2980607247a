// The operator's waitlist: search, filter, sort (allow-listed columns only),
// paginate, export and invite.
import type { Database } from "../db";
import { createSignupInvitation } from "../accounts/signup-invitations";

import { FILTERS, SORTABLE } from "../../utils/waitlist-query";

export { FILTERS, SORTABLE };
export const PAGE_SIZE = 50;

export type WaitlistQuery = {
  search: string;
  filter: (typeof FILTERS)[number];
  sort: (typeof SORTABLE)[number];
  direction: "asc" | "desc";
  page: number;
};

/** Reads the query string, falling back to defaults for anything not on the allow-lists. */
export function parseWaitlistQuery(params: URLSearchParams): WaitlistQuery {
  const pick = <T extends string>(value: string | null, allowed: readonly T[], fallback: T): T => (allowed.includes(value as T) ? (value as T) : fallback);
  const page = Number(params.get("page"));
  return {
    search: (params.get("q") ?? "").trim().slice(0, 200),
    filter: pick(params.get("filter"), FILTERS, "all"),
    sort: pick(params.get("sort"), SORTABLE, "created_at"),
    direction: pick(params.get("dir"), ["asc", "desc"] as const, "desc"),
    page: Number.isInteger(page) && page > 0 && page < 100_000 ? page : 1,
  };
}

function filtered(db: Database, query: Pick<WaitlistQuery, "search" | "filter">) {
  let q = db.selectFrom("waitlist_entry");
  if (query.search) {
    // LIKE wildcards in the search text are matched literally.
    const pattern = `%${query.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) => eb.or([eb("email", "ilike", pattern), eb("name", "ilike", pattern), eb("company", "ilike", pattern)]));
  }
  if (query.filter === "unconfirmed") q = q.where("confirmed_at", "is", null);
  if (query.filter === "confirmed") q = q.where("confirmed_at", "is not", null);
  if (query.filter === "invited") q = q.where("invited_at", "is not", null);
  if (query.filter === "not-invited") q = q.where("invited_at", "is", null);
  return q;
}

const COLUMNS = ["id", "email", "name", "company", "ip", "user_agent", "created_at", "confirmed_at", "invited_at"] as const;

export async function listWaitlist(db: Database, query: WaitlistQuery) {
  const [rows, total] = await Promise.all([
    filtered(db, query)
      .select(COLUMNS)
      .orderBy(query.sort, (ob) => (query.direction === "asc" ? ob.asc().nullsFirst() : ob.desc().nullsLast()))
      .orderBy("id")
      .limit(PAGE_SIZE)
      .offset((query.page - 1) * PAGE_SIZE)
      .execute(),
    filtered(db, query).select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n), pages: Math.max(1, Math.ceil(Number(total.n) / PAGE_SIZE)) };
}

export async function exportWaitlist(db: Database, query: Pick<WaitlistQuery, "search" | "filter">) {
  return filtered(db, query).select(COLUMNS).orderBy("created_at").execute();
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
