// Proving an email address: an 8-digit code to type and a link to follow, both
// single-use, stored hashed, valid for 30 minutes, and dead after 10 wrong codes.
// Guesses are also counted per account across codes, so a new code brings no new tries.
import { sql } from "kysely";
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { consumeRateLimit, type RateLimitRule } from "../rate-limit";
import { generateCode, generateSecret, hashesEqual, hashToken } from "../tokens";
import { userUpdated } from "../events/domain-events";

export const VERIFICATION_TTL_MINUTES = 30;
export const MAX_CODE_ATTEMPTS = 10;
// Without these, each new code reset the per-code count: 5 new codes an hour
// brought about 60 guesses at the signup code.
export const SIGNUP_CODE_LIMIT: RateLimitRule = { limit: 10, windowSeconds: 3600 };
export const SIGNUP_RESEND_LIMIT: RateLimitRule = { limit: 5, windowSeconds: 3600 };

type Purpose = "signup" | "email-change";

/** Creates (or replaces) the pending verification and queues its email, in the caller's transaction. */
export async function startVerification(
  tx: Database,
  user: { id: string; name: string | null },
  purpose: Purpose,
  email: string,
  now = new Date(),
): Promise<void> {
  const code = generateCode(8);
  const token = generateSecret();
  const values = {
    email,
    code_hash: hashToken(code),
    token_hash: hashToken(token),
    attempts: 0,
    expires_at: new Date(now.getTime() + VERIFICATION_TTL_MINUTES * 60_000),
    created_at: now,
  };
  await tx
    .insertInto("email_verification")
    .values({ user_id: user.id, purpose, ...values })
    .onConflict((oc) => oc.columns(["user_id", "purpose"]).doUpdateSet(values))
    .execute();
  await queueEmail(
    tx,
    {
      to: email,
      toName: user.name,
      template: "verify-email",
      props: {
        name: user.name,
        code,
        verifyUrl: publicLink(`/verify-email?token=${token}`),
        expiresInMinutes: VERIFICATION_TTL_MINUTES,
        isEmailChange: purpose === "email-change",
      },
    },
    { now },
  );
}

export type VerifyResult =
  | { ok: true; userId: string; purpose: Purpose }
  | { ok: false; reason: "wrong-code" | "expired" | "too-many-attempts" | "taken" | "invalid-link" };

/** Checks a typed code for the signed-in user. Every try counts, right or wrong. */
export async function verifyCode(db: Database, userId: string, purpose: Purpose, code: string, now = new Date()): Promise<VerifyResult> {
  return takenIfAddressRace(async () => db.transaction().execute(async (tx) => {
    // The increment and the check happen in one statement, so parallel guesses
    // cannot slip past the limit.
    const row = await tx
      .updateTable("email_verification")
      .set({ attempts: sql`attempts + 1` })
      .where("user_id", "=", userId)
      .where("purpose", "=", purpose)
      .returning(["id", "code_hash", "attempts", "expires_at"])
      .executeTakeFirst();
    if (!row) return { ok: false, reason: "expired" };
    if (row.attempts > MAX_CODE_ATTEMPTS) return { ok: false, reason: "too-many-attempts" };
    if (row.expires_at <= now) return { ok: false, reason: "expired" };
    if (!hashesEqual(hashToken(code), row.code_hash)) {
      return { ok: false, reason: row.attempts >= MAX_CODE_ATTEMPTS ? "too-many-attempts" : "wrong-code" };
    }
    return completeVerification(tx, row.id, now);
  }));
}

export type CodeThrottled = { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * Checks a typed code, first spending one try from the account's allowance for
 * this purpose (every try, right or wrong, whichever code it is for). Past the
 * allowance the code is not looked at, so the answer tells a guesser nothing.
 */
export async function verifyCodeWithinAllowance(
  db: Database,
  userId: string,
  purpose: Purpose,
  code: string,
  rule: RateLimitRule,
  now = new Date(),
): Promise<VerifyResult | CodeThrottled> {
  const allowance = await consumeRateLimit(db, `${purpose}:code:${userId}`, rule, now);
  if (!allowance.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: allowance.retryAfterSeconds };
  return verifyCode(db, userId, purpose, code, now);
}

/** The code typed on /verify-email after signing up. */
export async function confirmSignupCode(db: Database, userId: string, code: string, now = new Date()): Promise<VerifyResult | CodeThrottled> {
  return verifyCodeWithinAllowance(db, userId, "signup", code, SIGNUP_CODE_LIMIT, now);
}

/** Sends a new signup code (the old one stops working), at most SIGNUP_RESEND_LIMIT times an hour. */
export async function resendSignupCode(
  db: Database,
  user: { id: string; name: string | null; email: string },
  now = new Date(),
): Promise<{ ok: true } | { ok: false; reason: "too-many-requests"; retryAfterSeconds: number }> {
  const allowance = await consumeRateLimit(db, `verify-resend:${user.id}`, SIGNUP_RESEND_LIMIT, now);
  if (!allowance.allowed) return { ok: false, reason: "too-many-requests", retryAfterSeconds: allowance.retryAfterSeconds };
  await db.transaction().execute((tx) => startVerification(tx, user, "signup", user.email, now));
  return { ok: true };
}

/** Follows the link from the email; works without being signed in. */
export async function verifyLinkToken(db: Database, token: string, now = new Date()): Promise<VerifyResult> {
  return takenIfAddressRace(async () => db.transaction().execute(async (tx) => {
    const row = await tx
      .selectFrom("email_verification")
      .select(["id", "expires_at", "attempts"])
      .where("token_hash", "=", hashToken(token))
      .forUpdate()
      .executeTakeFirst();
    if (!row || row.expires_at <= now || row.attempts >= MAX_CODE_ATTEMPTS) return { ok: false, reason: "invalid-link" };
    return completeVerification(tx, row.id, now);
  }));
}

// The "is the new address free?" check and the update are two statements; if
// another account takes the address in between, the unique index catches it
// and the whole verification rolls back (the code stays usable).
async function takenIfAddressRace(run: () => Promise<VerifyResult>): Promise<VerifyResult> {
  try {
    return await run();
  } catch (error) {
    const pgError = error as { code?: string; constraint?: string };
    if (pgError.code === "23505" && pgError.constraint === "user_email_key") return { ok: false, reason: "taken" };
    throw error;
  }
}

async function completeVerification(tx: Database, verificationId: string, now: Date): Promise<VerifyResult> {
  const row = await tx
    .deleteFrom("email_verification")
    .where("id", "=", verificationId)
    .returning(["user_id", "purpose", "email"])
    .executeTakeFirstOrThrow();
  if (row.purpose === "signup") {
    await tx.updateTable("user").set({ email_verified_at: now, updated_at: now }).where("id", "=", row.user_id).execute();
    return { ok: true, userId: row.user_id, purpose: row.purpose };
  }
  // An email change: the new address may have been taken since the code was sent.
  const taken = await tx.selectFrom("user").select("id").where("email", "=", row.email).where("id", "!=", row.user_id).executeTakeFirst();
  if (taken) return { ok: false, reason: "taken" };
  await tx.updateTable("user").set({ email: row.email, email_verified_at: now, updated_at: now }).where("id", "=", row.user_id).execute();
  await userUpdated(tx, row.user_id, ["email"], now);
  return { ok: true, userId: row.user_id, purpose: row.purpose };
}

export async function pendingVerificationEmail(db: Database, userId: string, purpose: Purpose): Promise<string | null> {
  const row = await db
    .selectFrom("email_verification")
    .select("email")
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .executeTakeFirst();
  return row?.email ?? null;
}

export async function cancelPendingEmailChange(tx: Database, userId: string): Promise<void> {
  await tx.deleteFrom("email_verification").where("user_id", "=", userId).where("purpose", "=", "email-change").execute();
}
