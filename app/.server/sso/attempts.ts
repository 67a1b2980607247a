// One SSO round trip in flight. Leaving for the IdP sets a random cookie
// (HttpOnly, ten minutes, only sent to /sso); the row found by its hash holds
// what the answer must match. Taking the row deletes it: an answer is used
// once, and only by the browser that asked for it, so a stolen or replayed
// callback URL signs no one in.
import type { Selectable } from "kysely";
import type { SsoAttemptTable } from "../../../db/schema";
import type { Database } from "../db";
import { getEnv } from "../env";
import { generateSecret, hashToken } from "../tokens";

export const SSO_ATTEMPT_TTL_MS = 10 * 60 * 1000;

export type SsoAttempt = Selectable<SsoAttemptTable>;

export type NewAttempt = {
  connectionId: string;
  purpose: "sign-in" | "test";
  state: string;
  nonce?: string | null;
  codeVerifier?: string | null;
  requestId?: string | null;
  returnTo?: string | null;
  testerUserId?: string | null;
  continueUrl?: string | null;
};

/** Stores the attempt; returns the cookie value that will find it again. */
export async function startSsoAttempt(db: Database, attempt: NewAttempt, now = new Date()): Promise<string> {
  const binding = generateSecret(32);
  // Attempts abandoned at the IdP are deleted by the clean-up job (jobs/cleanup.ts), in batches.
  await db
    .insertInto("sso_attempt")
    .values({
      binding_hash: hashToken(binding),
      connection_id: attempt.connectionId,
      purpose: attempt.purpose,
      state: attempt.state,
      nonce: attempt.nonce ?? null,
      code_verifier: attempt.codeVerifier ?? null,
      request_id: attempt.requestId ?? null,
      return_to: attempt.returnTo ?? null,
      continue_url: attempt.continueUrl ?? null,
      tester_user_id: attempt.testerUserId ?? null,
      expires_at: new Date(now.getTime() + SSO_ATTEMPT_TTL_MS),
      created_at: now,
    })
    .execute();
  return binding;
}

/** The attempt this browser started for this connection, deleted as it is read; null when there is none (or it expired). */
export async function takeSsoAttempt(db: Database, binding: string | null, connectionId: string, now = new Date()): Promise<SsoAttempt | null> {
  if (!binding || binding.length > 100) return null;
  const row = await db
    .deleteFrom("sso_attempt")
    .where("binding_hash", "=", hashToken(binding))
    .where("connection_id", "=", connectionId)
    .returningAll()
    .executeTakeFirst();
  return row && row.expires_at > now ? row : null;
}

/** Where /sso/continue sends this browser: the IdP URL of its attempt in flight, or null. */
export async function findSsoContinueUrl(db: Database, binding: string | null, now = new Date()): Promise<string | null> {
  if (!binding || binding.length > 100) return null;
  const row = await db.selectFrom("sso_attempt").select(["continue_url"]).where("binding_hash", "=", hashToken(binding)).where("expires_at", ">", now).where("verdict", "is", null).executeTakeFirst();
  return row?.continue_url ?? null;
}

/**
 * Parks a checked SAML answer on the attempt it answers (its InResponseTo).
 * The answer arrives as a cross-site POST, which SameSite=Lax cookies do not
 * come with; the same-site GET it is redirected to has them, and finishes
 * only if this browser's cookie finds the attempt. False: no such attempt
 * (expired, or answered already).
 */
export async function parkSamlVerdict(db: Database, connectionId: string, requestId: string, verdict: Record<string, unknown>, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable("sso_attempt")
    .set({ verdict: JSON.stringify(verdict) })
    .where("request_id", "=", requestId)
    .where("connection_id", "=", connectionId)
    .where("verdict", "is", null)
    .where("expires_at", ">", now)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

const COOKIE = "gatehouse_sso";

function attributes(maxAgeSeconds: number): string {
  const secure = getEnv().PUBLIC_URL.protocol === "https:" ? "; Secure" : "";
  return `Path=/sso; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export const ssoAttemptCookie = (binding: string) => `${COOKIE}=${binding}; ${attributes(SSO_ATTEMPT_TTL_MS / 1000)}`;
export const clearedSsoAttemptCookie = () => `${COOKIE}=; ${attributes(0)}`;

export function readSsoAttemptCookie(request: Request): string | null {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === COOKIE) return value.join("=") || null;
  }
  return null;
}
