// The operator's list of accounts: newest first, 100 to a page by keyset cursor
// over (created_at, id) (user_created_at_id_idx), searched by email or name
// with ILIKE, which the trigram indexes serve at any size (docs/scale.md).
import { sql } from "kysely";
import type { Database } from "../db";
import { narrowsByTrigrams, preferIndexes, SPARSE_MATCHES } from "../database/prefer-indexes";

export const USERS_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const COLUMNS = ["id", "email", "name", "created_at", "email_verified_at", "is_operator", "purge_after"] as const;

/** Accounts whose email or name holds `search` (LIKE wildcards in it are matched literally). */
function matching(db: Database, search: string | undefined) {
  const query = db.selectFrom("user").select(COLUMNS);
  if (!search) return query;
  const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return query.where((eb) => eb.or([eb("email", "ilike", pattern), eb("name", "ilike", pattern)]));
}

/** One page; `before` is the id of the last user of the page before. */
export async function listUsers(db: Database, options: { search?: string; before?: string | null; limit?: number } = {}) {
  const limit = options.limit ?? USERS_PAGE_SIZE;
  const { before, search } = options;
  if (before !== undefined && before !== null && !UUID.test(before)) return { users: [], nextCursor: null };
  const page = (db: Database) => {
    let query = matching(db, search);
    if (before) query = query.where(sql<boolean>`("user".created_at, "user".id) < (select c.created_at, c.id from "user" c where c.id = ${before})`);
    return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit + 1).execute();
  };
  let rows: Awaited<ReturnType<typeof page>>;
  if (search && narrowsByTrigrams(search)) {
    // Few matches are read through the trigram indexes and sorted; many are
    // found by walking the date index (database/prefer-indexes.ts).
    const matches = await preferIndexes(db, (tx) =>
      tx.selectFrom(matching(tx, search).limit(SPARSE_MATCHES + 1).as("capped")).select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow(),
    );
    rows = await preferIndexes(db, page, { bitmapOnly: Number(matches.n) <= SPARSE_MATCHES });
  } else {
    rows = await page(db);
  }
  const users = rows.slice(0, limit);
  return { users, nextCursor: rows.length > limit ? users.at(-1)!.id : null };
}
