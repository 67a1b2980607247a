// POST /passkeys/options: a fresh WebAuthn challenge for the page's passkey
// button (JSON; the button is the only caller). What it may ask depends on who
// asks: anyone may sign in, a half-signed-in person may prove their second
// factor with their own passkeys, a signed-in one may re-prove or add one.
import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { startPasskeyAuthentication, startPasskeyRegistration } from "~/.server/accounts/mfa/passkeys";
import { findPendingSignIn } from "~/.server/accounts/mfa/pending-sign-in";
import { relyingParty } from "~/.server/accounts/mfa/relying-party";
import { isRecentlyAuthenticated } from "~/.server/accounts/mfa/step-up";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { readForm } from "~/.server/forms";
import { consumeRateLimit } from "~/.server/rate-limit";
import { readSessionToken } from "~/.server/session-cookie";

const OptionsSchema = z.object({ purpose: z.enum(["sign-in", "second-factor", "reauthenticate", "register"], { error: "Unknown purpose." }) });

// Each challenge is a row: anonymous callers get a generous per-IP allowance, no more.
const ANONYMOUS_CHALLENGES_PER_IP = { limit: 60, windowSeconds: 15 * 60 };

const refuse = (status: number, error: string) => Response.json({ error }, { status });

export async function loader() {
  return refuse(405, "Use POST.");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, OptionsSchema);
  if (!form.ok) return refuse(400, form.formError ?? Object.values(form.fieldErrors)[0] ?? "Bad request.");
  const db = getDb();
  const rp = relyingParty();
  const purpose = form.data.purpose;

  if (purpose === "sign-in" || purpose === "second-factor") {
    const allowance = await consumeRateLimit(db, `passkey-options:ip:${context.clientIp ?? "unknown"}`, ANONYMOUS_CHALLENGES_PER_IP);
    if (!allowance.allowed) return Response.json({ error: "Too many attempts. Please wait a few minutes and try again." }, { status: 429, headers: { "Retry-After": String(allowance.retryAfterSeconds) } });
    if (purpose === "sign-in") return Response.json({ options: await startPasskeyAuthentication(db, rp, null) });
    const pending = await findPendingSignIn(db, readSessionToken(request));
    if (!pending) return refuse(401, "Your sign-in expired. Log in again.");
    return Response.json({ options: await startPasskeyAuthentication(db, rp, pending.userId) });
  }

  const session = await getSession(request);
  if (!session) return refuse(401, "You are signed out. Log in again.");
  if (purpose === "reauthenticate") return Response.json({ options: await startPasskeyAuthentication(db, rp, session.user.id) });
  // Adding a sign-in method is itself a sensitive change (a stolen session must not plant its own passkey).
  if (!isRecentlyAuthenticated(session)) return refuse(403, "Confirm it is you first: reload the page.");
  return Response.json({ options: await startPasskeyRegistration(db, rp, session.user) });
}
