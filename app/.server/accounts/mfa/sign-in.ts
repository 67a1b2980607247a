// The second step of signing in, and signing in with a passkey alone. Every
// code tried here counts against the same per-account window as passwords
// (login.ts), so a stolen password plus guessing codes gets no further than
// guessing passwords would; each half-signed-in record also allows only a few.
import type { SessionAuthMethod } from "../../../../db/schema";
import type { Database } from "../../db";
import { checkSignInPolicies } from "../../orgs/security-policy/check";
import { createSession, type ClientInfo } from "../../session";
import { consumeLoginAllowance } from "../login";
import { hasSecondFactor } from "./factors";
import { notifyTwoFactorChange } from "./notify";
import { verifyPasskeyAuthentication, type RelyingParty } from "./passkeys";
import { endPendingSignIn, recordPendingSignInFailure, startPendingSignIn, type PendingSignIn } from "./pending-sign-in";
import { consumeRecoveryCode } from "./recovery-codes";
import { verifyTotp } from "./totp-factor";

/** With two-factor on, a half-signed-in token instead of a session; null when the password is enough. */
export async function startSecondFactorIfOn(db: Database, userId: string, now = new Date()): Promise<string | null> {
  return (await hasSecondFactor(db, userId)) ? startPendingSignIn(db, userId, now) : null;
}

export type SecondFactorProof = { kind: "totp"; code: string } | { kind: "recovery-code"; code: string } | { kind: "passkey"; credential: string };

export type SignedIn = { ok: true; token: string; userId: string; emailVerified: boolean; deletionPending: boolean; method: SessionAuthMethod; policyNext: string | null };
/** An org's rule refused the sign-in (e.g. it requires SSO); the message says which and what to do. */
export type PolicyRefusal = { ok: false; reason: "policy"; message: string };

export type SecondFactorResult =
  | SignedIn
  | PolicyRefusal
  | { ok: false; reason: "wrong-code" | "wrong-passkey" | "invalid-passkey"; attemptsLeft: boolean }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number }
  | { ok: false; reason: "gone" };

export async function completeSecondFactor(
  db: Database,
  pending: PendingSignIn,
  proof: SecondFactorProof,
  context: { client: ClientInfo; rp: RelyingParty },
  now = new Date(),
): Promise<SecondFactorResult> {
  // The same allowance (per account and per IP) as a password guess at /login.
  const allowance = await consumeLoginAllowance(db, pending.email, context.client.ip, now);
  if (!allowance.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: allowance.retryAfterSeconds };

  let method: SessionAuthMethod | null = null;
  let failure: "wrong-code" | "wrong-passkey" | "invalid-passkey" = "wrong-code";
  let recoveryCodesLeft: number | null = null;
  if (proof.kind === "totp") {
    if (await verifyTotp(db, pending.userId, proof.code, now)) method = "password+totp";
  } else if (proof.kind === "recovery-code") {
    const spent = await consumeRecoveryCode(db, pending.userId, proof.code, now);
    if (spent) {
      method = "password+recovery-code";
      recoveryCodesLeft = spent.remaining;
    }
  } else {
    const verified = await verifyPasskeyAuthentication(db, context.rp, { credential: proof.credential, expectedUserId: pending.userId }, now);
    if (verified.ok) method = "password+passkey";
    else failure = verified.reason === "wrong-account" || verified.reason === "unknown-passkey" ? "wrong-passkey" : "invalid-passkey";
  }

  if (!method) return { ok: false, reason: failure, attemptsLeft: await recordPendingSignInFailure(db, pending.id) };
  // Two tabs finishing at once: only the one that ends the record gets a session.
  if (!(await endPendingSignIn(db, pending.id))) return { ok: false, reason: "gone" };
  if (recoveryCodesLeft !== null) {
    await notifyTwoFactorChange(db, pending.userId, "recovery-code-used", `${recoveryCodesLeft} left`, now);
  }
  return signIn(db, pending.userId, method, context.client, now);
}

export type PasskeySignInResult = SignedIn | PolicyRefusal | { ok: false; reason: "invalid-passkey" | "unknown-passkey" | "expired" };

/** "Sign in with a passkey": no email, no password; the passkey names its account. */
export async function signInWithPasskey(db: Database, credential: string, context: { client: ClientInfo; rp: RelyingParty }, now = new Date()): Promise<PasskeySignInResult> {
  const verified = await verifyPasskeyAuthentication(db, context.rp, { credential, expectedUserId: null }, now);
  if (!verified.ok) return { ok: false, reason: verified.reason === "expired" ? "expired" : verified.reason === "invalid" ? "invalid-passkey" : "unknown-passkey" };
  return signIn(db, verified.userId, "passkey", context.client, now);
}

async function signIn(db: Database, userId: string, method: SessionAuthMethod, client: ClientInfo, now: Date): Promise<SignedIn | PolicyRefusal> {
  const user = await db.selectFrom("user").select(["email_verified_at", "deletion_requested_at"]).where("id", "=", userId).executeTakeFirstOrThrow();
  // The orgs' rules: require SSO (owners' break-glass is recorded there), two-factor, session limits.
  const decision = await checkSignInPolicies(db, { userId, method, ip: client.ip, now });
  if (!decision.ok) return { ok: false, reason: "policy", message: decision.message };
  const { token } = await createSession(db, userId, client, now, method, { limits: decision.sessionLimits });
  return { ok: true, token, userId, emailVerified: user.email_verified_at !== null, deletionPending: user.deletion_requested_at !== null, method, policyNext: decision.next };
}
