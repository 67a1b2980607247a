// Logging in. A wrong password and an unknown address get the same answer in
// about the same time (an unknown address is checked against a dummy hash).
// Throttling is per address and per IP, in fixed windows kept in PostgreSQL:
// an attacker can slow an account down for a few minutes, never lock it for good.
import { createHash } from "node:crypto";
import type { Database } from "../db";
import { assertPasswordHasherHasRoom, verifyAgainstDummy, verifyPassword } from "../password";
import { consumeRateLimits } from "../rate-limit";
import { recordAuditEvent } from "../orgs/audit";
import { createSession, type ClientInfo } from "../session";
import { startSecondFactorIfOn } from "./mfa/sign-in";

export const LOGIN_LIMITS = {
  perAccount: { limit: 10, windowSeconds: 15 * 60 },
  perIp: { limit: 50, windowSeconds: 15 * 60 },
};

/** The per-account window that passwords and second-factor codes share. */
export function loginAccountKey(email: string): string {
  return `login:account:${createHash("sha256").update(email).digest("hex")}`;
}

// secondFactorRequired: `token` is a half-signed-in record for /login/2fa, not a session.
export type LoginResult =
  | { ok: true; token: string; emailVerified: boolean; deletionPending: boolean; secondFactorRequired: boolean }
  | { ok: false; reason: "invalid-credentials" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

export async function logIn(db: Database, email: string, password: string, client: ClientInfo, now = new Date()): Promise<LoginResult> {
  assertPasswordHasherHasRoom();
  const accountKey = loginAccountKey(email);
  const allowance = await consumeRateLimits(
    db,
    [
      { key: `login:ip:${client.ip ?? "unknown"}`, rule: LOGIN_LIMITS.perIp },
      { key: accountKey, rule: LOGIN_LIMITS.perAccount },
    ],
    now,
  );
  if (!allowance.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: allowance.retryAfterSeconds };

  const user = await db.selectFrom("user").select(["id", "password_hash", "email_verified_at", "deletion_requested_at"]).where("email", "=", email).executeTakeFirst();
  const valid = user ? await verifyPassword(user.password_hash, password) : await verifyAgainstDummy(password);
  if (!user) return { ok: false, reason: "invalid-credentials" };
  if (!valid) {
    await recordFailedLogin(db, user.id, email, client.ip, now);
    return { ok: false, reason: "invalid-credentials" };
  }

  const outcome = { ok: true as const, emailVerified: user.email_verified_at !== null, deletionPending: user.deletion_requested_at !== null };
  // Only now, with the password right, may the answer show that a second factor exists.
  const pendingSignIn = await startSecondFactorIfOn(db, user.id, now);
  if (pendingSignIn) return { ...outcome, token: pendingSignIn, secondFactorRequired: true };
  // Always a brand-new session: a session id planted before login is never adopted.
  const { token } = await createSession(db, user.id, client, now);
  return { ...outcome, token, secondFactorRequired: false };
}

// A wrong password for a member is a security event for each of their orgs.
async function recordFailedLogin(db: Database, userId: string, email: string, ip: string | null, now: Date) {
  const orgs = await db.selectFrom("membership").select("org_id").where("user_id", "=", userId).execute();
  for (const { org_id } of orgs) {
    await recordAuditEvent(db, { orgId: org_id, actor: { userId: null, label: "Unknown (failed login)" }, action: "auth.login_failed", target: email, ip, at: now });
  }
}
