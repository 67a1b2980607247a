// An org's members, a page at a time: oldest first by (joined, user id), with
// a keyset cursor through membership_org_created_at_user_idx, so the 100th
// page costs what the first does. A search narrows by email or name (ILIKE
// served by the trigram indexes on "user").
import { sql } from "kysely";
import type { Database } from "../db";
import { containsPattern } from "../database/like-pattern";

export const MEMBERS_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUserId = (value: string | null | undefined): value is string => !!value && UUID.test(value);

function members(db: Database, orgId: string) {
  return db
    .selectFrom("membership")
    .innerJoin("user", "user.id", "membership.user_id")
    .select(["user.id as userId", "user.email", "user.name", "membership.role", "membership.created_at"])
    .where("membership.org_id", "=", orgId);
}

/** One page of members; `after` is the user id of the last member of the page before. */
export async function listMemberPage(db: Database, orgId: string, options: { after?: string | null; search?: string; limit?: number } = {}) {
  const limit = options.limit ?? MEMBERS_PAGE_SIZE;
  let query = members(db, orgId);
  if (options.search) {
    const pattern = containsPattern(options.search);
    query = query.where((eb) => eb.or([eb("user.email", "ilike", pattern), eb("user.name", "ilike", pattern)]));
  }
  if (options.after !== undefined && options.after !== null) {
    if (!isUserId(options.after)) return { members: [], nextCursor: null };
    query = query.where(
      sql<boolean>`(membership.created_at, membership.user_id) > (select c.created_at, c.user_id from membership c where c.org_id = ${orgId} and c.user_id = ${options.after})`,
    );
  }
  const rows = await query.orderBy("membership.created_at").orderBy("membership.user_id").limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  return { members: page, nextCursor: rows.length > limit ? page.at(-1)!.userId : null };
}

/** One member, for the role form reached from their row. */
export async function findMember(db: Database, orgId: string, userId: string) {
  if (!isUserId(userId)) return null;
  return (await members(db, orgId).where("membership.user_id", "=", userId).executeTakeFirst()) ?? null;
}

export async function countMembers(db: Database, orgId: string): Promise<number> {
  const row = await db.selectFrom("membership").select((eb) => eb.fn.countAll<string>().as("n")).where("org_id", "=", orgId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many owners an org has (is this person its last one?), through the membership index. */
export async function countOwners(db: Database, orgId: string): Promise<number> {
  const row = await db.selectFrom("membership").select((eb) => eb.fn.countAll<string>().as("n")).where("org_id", "=", orgId).where("role", "=", "owner").executeTakeFirstOrThrow();
  return Number(row.n);
}
