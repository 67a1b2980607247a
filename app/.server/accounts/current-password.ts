// "Enter your password to confirm": the re-check in front of changing the
// password or the email address and deleting the account (and any later
// step-up re-authentication). A session cookie must not be a way to guess the
// password without limit, so each try spends from the same per-account (and
// per-IP) allowance as logging in: after 10 tries in 15 minutes, at the login
// form or here, the answer is "throttled" until the window ends.
import type { Database } from "../db";
import { assertPasswordHasherHasRoom, verifyPassword } from "../password";
import { consumeLoginAllowance } from "./login";

export type CurrentPasswordCheck =
  | { ok: true }
  | { ok: false; reason: "wrong-password" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * Whether `password` is the signed-in user's current password, counted against
 * the login limit whatever the outcome (as a login is: the count comes first, so
 * parallel guesses cannot slip past it). Throws PasswordHasherBusyError when the
 * hashing queue is full; wrap the caller in unlessBusy().
 */
export async function verifyCurrentPassword(db: Database, user: { id: string }, password: string, ip: string | null, now = new Date()): Promise<CurrentPasswordCheck> {
  assertPasswordHasherHasRoom();
  const row = await db.selectFrom("user").select(["email", "password_hash"]).where("id", "=", user.id).executeTakeFirstOrThrow();
  const allowance = await consumeLoginAllowance(db, row.email, ip, now);
  if (!allowance.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: allowance.retryAfterSeconds };
  return (await verifyPassword(row.password_hash, password)) ? { ok: true } : { ok: false, reason: "wrong-password" };
}
