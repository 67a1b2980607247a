// Small lookups other modules need about an account.
import type { Database } from "../db";

/** An account's email and name, for confirmations that ask to type it; null if there is no such account. */
export async function findUserIdentity(db: Database, userId: string): Promise<{ email: string; name: string | null } | null> {
  const row = await db.selectFrom("user").select(["email", "name"]).where("id", "=", userId).executeTakeFirst();
  return row ?? null;
}
