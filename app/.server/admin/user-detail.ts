// One account, as an operator sees it on /admin/users/:id: who, since when,
// verified or not, a deletion underway, their sessions and their orgs.
// Never a password hash or a session secret.
import type { Database } from "../db";
import { parseDevice } from "../accounts/device";

export async function findUserForOperator(db: Database, userId: string, now = new Date()) {
  const user = await db
    .selectFrom("user")
    .select(["id", "email", "name", "created_at", "email_verified_at", "is_operator", "deletion_requested_at", "purge_after"])
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!user) return null;
  const [sessions, orgs] = await Promise.all([
    db
      .selectFrom("session")
      .select(["id", "created_at", "last_seen_at", "ip", "user_agent"])
      .where("user_id", "=", userId)
      .where("expires_at", ">", now)
      .orderBy("last_seen_at", "desc")
      .limit(100)
      .execute(),
    db
      .selectFrom("membership")
      .innerJoin("org", "org.id", "membership.org_id")
      .select(["org.id", "org.slug", "org.name", "org.plan", "membership.role", "membership.created_at"])
      .where("membership.user_id", "=", userId)
      .orderBy("org.name")
      .execute(),
  ]);
  return {
    user,
    // Session ids are not secrets (only the secret half of a token is), but the page needs no more than the device.
    sessions: sessions.map((s) => ({ device: parseDevice(s.user_agent), ip: s.ip, createdAt: s.created_at, lastSeenAt: s.last_seen_at })),
    orgs,
  };
}
