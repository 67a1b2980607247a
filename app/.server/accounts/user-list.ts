// The operator's list of accounts: newest first, 100 to a page by keyset cursor
// over (created_at, id) (user_created_at_id_idx), searched by email or name
// with ILIKE, which the trigram indexes serve at any size (docs/scale.md).
import { sql } from "kysely";
import type { Database } from "../db";

export const USERS_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** One page; `before` is the id of the last user of the page before. */
export async function listUsers(db: Database, options: { search?: string; before?: string | null; limit?: number } = {}) {
  const limit = options.limit ?? USERS_PAGE_SIZE;
  let query = db.selectFrom("user").select(["id", "email", "name", "created_at", "email_verified_at", "is_operator", "purge_after"]);
  if (options.search) {
    // LIKE wildcards in the search text are matched literally.
    const pattern = `%${options.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb("email", "ilike", pattern), eb("name", "ilike", pattern)]));
  }
  if (options.before !== undefined && options.before !== null) {
    if (!UUID.test(options.before)) return { users: [], nextCursor: null };
    query = query.where(sql<boolean>`("user".created_at, "user".id) < (select c.created_at, c.id from "user" c where c.id = ${options.before})`);
  }
  const rows = await query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit + 1).execute();
  const users = rows.slice(0, limit);
  return { users, nextCursor: rows.length > limit ? users.at(-1)!.id : null };
}
