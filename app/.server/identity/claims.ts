// Who a token speaks for, computed when the token is issued: an org the person
// has left is not in the next token, and a deleted (or deletion-pending)
// account gets no token at all.
import type { Database } from "../db";

export type OrgClaim = { id: string; slug: string; name: string; role: string; plan: string };
export type AccountClaims = { sub: string; email: string; email_verified: boolean; name: string | null; orgs: OrgClaim[] };

export async function loadAccountClaims(db: Database, userId: string): Promise<AccountClaims | undefined> {
  // Ids are uuids; anything else (a forged sub) would be a database error.
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return undefined;
  const user = await db
    .selectFrom("user")
    .select(["id", "email", "email_verified_at", "name"])
    .where("id", "=", userId)
    .where("deletion_requested_at", "is", null)
    .executeTakeFirst();
  if (!user) return undefined;
  const orgs = await db
    .selectFrom("membership")
    .innerJoin("org", "org.id", "membership.org_id")
    .select(["org.id", "org.slug", "org.name", "membership.role", "org.plan"])
    .where("membership.user_id", "=", userId)
    .where("org.purge_after", "is", null)
    .orderBy("org.slug")
    .execute();
  return { sub: user.id, email: user.email, email_verified: user.email_verified_at !== null, name: user.name, orgs };
}
