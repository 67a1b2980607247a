// The operator's list of accounts: newest first, 100 to a page by keyset cursor
// over (created_at, id) (user_created_at_id_idx), searched by any part of the
// email or name. A search takes the first of three plans that can answer it
// (docs/scale.md): the newest 2,000 accounts after the cursor, when they hold
// a page of matches; the trigram indexes, when there are at most 1,000
// matches; else a walk of the date index, which many matches keep short.
import { sql, type QueryCreator, type RawBuilder } from "kysely";
import type { DB } from "../../../db/schema";
import type { Database } from "../db";
import { containsPattern } from "../database/like-pattern";
import { narrowsByTrigrams, preferIndexes, SPARSE_MATCHES } from "../database/prefer-indexes";

export const USERS_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = ["id", "email", "name", "created_at", "email_verified_at", "is_operator", "purge_after"] as const;

/** Accounts whose email or name holds `search` (LIKE wildcards in it are matched literally). */
function matching(db: QueryCreator<DB>, search: string | undefined) {
  const query = db.selectFrom("user").select(COLUMNS);
  if (!search) return query;
  const pattern = containsPattern(search);
  return query.where((eb) => eb.or([eb("email", "ilike", pattern), eb("name", "ilike", pattern)]));
}

/** One page; `before` is the id of the last user of the page before. */
export async function listUsers(db: Database, options: { search?: string; before?: string | null; limit?: number } = {}) {
  const limit = options.limit ?? USERS_PAGE_SIZE;
  const { before, search } = options;
  if (before !== undefined && before !== null && !UUID.test(before)) return { users: [], nextCursor: null };
  const afterCursor = sql<boolean>`("user".created_at, "user".id) < (select c.created_at, c.id from "user" c where c.id = ${before})`;
  // Walking the date index: every page without a search, and a search with many matches.
  const walk = (db: Database) => {
    let query = matching(db, search);
    if (before) query = query.where(afterCursor);
    return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit + 1).execute();
  };
  let rows: Awaited<ReturnType<typeof walk>> | null = null;
  if (search) {
    // Many matches: the newest RECENT_WINDOW accounts after the cursor hold a
    // whole page of them. Then that page is the answer, found in a bounded
    // read whatever the table's size (a trigram read of a common name is not:
    // 20k matches at 200k accounts).
    const recent = await recentWindow(db, search, before ? afterCursor : null, limit + 1);
    if (recent.length === limit + 1) rows = recent;
  }
  if (!rows && search && narrowsByTrigrams(search)) {
    // One statement takes up to SPARSE_MATCHES + 1 matches through the trigram
    // indexes, and the page from them, sorted; with more matches than that, the
    // walk finds the page sooner (database/prefer-indexes.ts).
    rows = await preferIndexes(
      db,
      async (tx) => {
        let query = tx
          .with((wb) => wb("matches").materialized(), (db) => matching(db, search).clearSelect().select("user.id").limit(SPARSE_MATCHES + 1))
          .selectFrom("user")
          .select(COLUMNS)
          .select((eb) => eb.selectFrom("matches").select(eb.fn.countAll<string>().as("n")).as("matched"))
          .where("user.id", "in", (eb) => eb.selectFrom("matches").select("matches.id"));
        if (before) query = query.where(afterCursor);
        const page = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit + 1).execute();
        // An empty page does not say how many matched: asked apart (rarely: past the last page).
        const matched = page.length > 0 ? Number(page[0]!.matched) : await countMatches(tx, search);
        return matched <= SPARSE_MATCHES ? page.map(({ matched: _, ...user }) => user) : null;
      },
      { bitmapOnly: true },
    );
  }
  rows ??= await walk(db);
  const users = rows.slice(0, limit);
  return { users, nextCursor: rows.length > limit ? users.at(-1)!.id : null };
}

/** Accounts after the cursor (newest first) examined for a search's page: a bounded read of the date index. */
const RECENT_WINDOW = 2_000;

function recentWindow(db: Database, search: string, afterCursor: RawBuilder<boolean> | null, take: number) {
  let newest = db.selectFrom("user").select(COLUMNS);
  if (afterCursor) newest = newest.where(afterCursor);
  const window = newest.orderBy("created_at", "desc").orderBy("id", "desc").limit(RECENT_WINDOW).as("recent");
  const pattern = containsPattern(search);
  return db
    .selectFrom(window)
    .selectAll()
    .where((eb) => eb.or([eb("recent.email", "ilike", pattern), eb("recent.name", "ilike", pattern)]))
    .orderBy("recent.created_at", "desc")
    .orderBy("recent.id", "desc")
    .limit(take)
    .execute();
}

async function countMatches(db: Database, search: string): Promise<number> {
  const row = await db
    .selectFrom(matching(db, search).clearSelect().select("user.id").limit(SPARSE_MATCHES + 1).as("capped"))
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
