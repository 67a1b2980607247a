// Logging in. A wrong password and an unknown address get the same answer in
// about the same time: an unknown address is checked against a dummy hash, and
// the audit rows a real account's failed login earns are written by the
// worker, not while answering (deferred-work.ts).
// Throttling is per address and per IP, in fixed windows kept in PostgreSQL:
// an attacker can slow an account down for a few minutes, never lock it for good.
import { createHash } from "node:crypto";
import type { Database } from "../db";
import { assertPasswordHasherHasRoom, verifyAgainstDummy, verifyPassword } from "../password";
import { consumeRateLimits, type RateLimitResult } from "../rate-limit";
import { checkSignInPolicies } from "../orgs/security-policy/check";
import { createSession, type ClientInfo } from "../session";
import { deferAccountWork } from "./deferred-work";
import { startSecondFactorIfOn } from "./mfa/sign-in";

export const LOGIN_LIMITS = {
  perAccount: { limit: 10, windowSeconds: 15 * 60 },
  perIp: { limit: 50, windowSeconds: 15 * 60 },
};

// secondFactorRequired: `token` is a half-signed-in record for /login/2fa, not a session.
export type LoginResult =
  | { ok: true; token: string; emailVerified: boolean; deletionPending: boolean; secondFactorRequired: boolean; policyNext: string | null }
  | { ok: false; reason: "policy"; message: string }
  | { ok: false; reason: "invalid-credentials" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * Counts one password guess against the address's and the IP's login
 * allowance. Every place that checks a password (login, and the re-checks in
 * Settings through verifyCurrentPassword) spends from the same allowance, so
 * no form is a way around the login limit.
 */
export function consumeLoginAllowance(db: Database, email: string, ip: string | null, now = new Date()): Promise<RateLimitResult> {
  return consumeRateLimits(
    db,
    [
      { key: `login:ip:${ip ?? "unknown"}`, rule: LOGIN_LIMITS.perIp },
      { key: `login:account:${createHash("sha256").update(email).digest("hex")}`, rule: LOGIN_LIMITS.perAccount },
    ],
    now,
  );
}

export async function logIn(db: Database, email: string, password: string, client: ClientInfo, now = new Date()): Promise<LoginResult> {
  assertPasswordHasherHasRoom();
  const allowance = await consumeLoginAllowance(db, email, client.ip, now);
  if (!allowance.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: allowance.retryAfterSeconds };

  const user = await db.selectFrom("user").select(["id", "password_hash", "email_verified_at", "deletion_requested_at"]).where("email", "=", email).executeTakeFirst();
  const valid = user ? await verifyPassword(user.password_hash, password) : await verifyAgainstDummy(password);
  if (!user || !valid) {
    // The same one insert for a known address and an unknown one.
    await deferAccountWork(db, { kind: "failed-login", email, ip: client.ip, at: now });
    return { ok: false, reason: "invalid-credentials" };
  }

  const outcome = { ok: true as const, emailVerified: user.email_verified_at !== null, deletionPending: user.deletion_requested_at !== null };
  // Only now, with the password right, may the answer show that a second factor exists.
  const pendingSignIn = await startSecondFactorIfOn(db, user.id, now);
  if (pendingSignIn) return { ...outcome, token: pendingSignIn, secondFactorRequired: true, policyNext: null };
  // The orgs' rules (require SSO, two-factor, session limits) decide whether the password alone may open a session.
  const decision = await checkSignInPolicies(db, { userId: user.id, method: "password", ip: client.ip, now });
  if (!decision.ok) return { ok: false, reason: "policy", message: decision.message };
  // Always a brand-new session: a session id planted before login is never adopted.
  const { token } = await createSession(db, user.id, client, now, "password", { limits: decision.sessionLimits });
  return { ...outcome, token, secondFactorRequired: false, policyNext: decision.next };
}
