// Step-up: a sensitive action needs a proof of identity from the last ten
// minutes (the password, an authenticator code or a passkey), not just a
// session that may have been left open on a shared computer. One guard for
// every such action, one page (/reauthenticate) to prove it again.
import { redirect } from "@remix-run/node";
import { requireUser } from "../../auth";
import type { Database } from "../../db";
import { markSessionReauthenticated, type ValidSession } from "../../session";
import { verifyCurrentPassword } from "../current-password";
import { consumeLoginAllowance } from "../login";
import { verifyPasskeyAuthentication, type RelyingParty } from "./passkeys";
import { verifyTotp } from "./totp-factor";

export const RECENT_AUTH_MS = 10 * 60 * 1000;

export function isRecentlyAuthenticated(session: Pick<ValidSession, "authenticatedAt">, now = new Date()): boolean {
  return now.getTime() - session.authenticatedAt.getTime() <= RECENT_AUTH_MS;
}

/** The path of /reauthenticate that comes back to `returnTo` afterwards. */
export function reauthenticatePath(returnTo: string): string {
  return `/reauthenticate?redirectTo=${encodeURIComponent(returnTo)}`;
}

/**
 * Like requireUser, and the session must have proved who it is recently; if
 * not, a redirect to prove it again and come back to the page of the action.
 */
export async function requireRecentAuth(request: Request, options?: Parameters<typeof requireUser>[1]): Promise<ValidSession> {
  const session = await requireUser(request, options);
  if (isRecentlyAuthenticated(session)) return session;
  const url = new URL(request.url);
  // Back to the page, not the action: a form is sent again by the person, on purpose.
  url.searchParams.delete("intent");
  url.searchParams.delete("index");
  throw redirect(reauthenticatePath(url.pathname + url.search));
}

export type ReauthProof = { kind: "password"; password: string } | { kind: "totp"; code: string } | { kind: "passkey"; credential: string };

export type ReauthResult = { ok: true } | { ok: false; reason: "wrong" | "wrong-passkey" } | { ok: false; reason: "throttled"; retryAfterSeconds: number };

/**
 * Checks a proof for the signed-in account. Every try spends from the login
 * allowance (per account and per IP): the password through
 * verifyCurrentPassword, codes and passkeys here, so step-up is no way around
 * the login limit. Throws PasswordHasherBusyError like a login (unlessBusy).
 */
export async function reauthenticate(db: Database, session: ValidSession, proof: ReauthProof, context: { rp: RelyingParty; ip: string | null }, now = new Date()): Promise<ReauthResult> {
  if (proof.kind === "password") {
    const checked = await verifyCurrentPassword(db, session.user, proof.password, context.ip, now);
    if (!checked.ok) return checked.reason === "throttled" ? checked : { ok: false, reason: "wrong" };
  } else {
    const allowance = await consumeLoginAllowance(db, session.user.email, context.ip, now);
    if (!allowance.allowed) return { ok: false, reason: "throttled", retryAfterSeconds: allowance.retryAfterSeconds };
    if (proof.kind === "totp") {
      if (!(await verifyTotp(db, session.user.id, proof.code, now))) return { ok: false, reason: "wrong" };
    } else {
      const verified = await verifyPasskeyAuthentication(db, context.rp, { credential: proof.credential, expectedUserId: session.user.id }, now);
      if (!verified.ok) return { ok: false, reason: verified.reason === "wrong-account" || verified.reason === "unknown-passkey" ? "wrong-passkey" : "wrong" };
    }
  }
  await markSessionReauthenticated(db, session.id, now);
  return { ok: true };
}
