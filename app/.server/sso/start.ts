// Leaving for a connection's IdP, whichever protocol it speaks: the answer is
// a 303 to the IdP with the attempt's cookie, or a reason it cannot start.
import type { Database } from "../db";
import { ssoAttemptCookie } from "./attempts";
import type { SsoConnection } from "./connections";
import { startOidcSignIn, type StartOptions } from "./oidc/sign-in";
import { startSamlSignIn } from "./saml";
import { startSsoAttempt } from "./attempts";
import { generateSecret } from "../tokens";

export type StartResult = { ok: true; response: Response } | { ok: false; message: string };

export async function startSsoSignIn(db: Database, connection: SsoConnection, options: StartOptions, now = new Date()): Promise<StartResult> {
  const started = connection.kind === "oidc" ? await startOidcSignIn(db, connection, options, now) : await startSaml(db, connection, options, now);
  if (!started.ok) return started;
  // Not straight to the IdP: a form's answer that redirects to another site is
  // blocked by our CSP (form-action 'self'); /sso/continue moves on by itself.
  const headers = new Headers({ Location: "/sso/continue", "Set-Cookie": ssoAttemptCookie(started.binding), "Cache-Control": "no-store" });
  return { ok: true, response: new Response(null, { status: 303, headers }) };
}

// SAML: the AuthnRequest's id binds the answer (its InResponseTo) to this attempt.
async function startSaml(db: Database, connection: SsoConnection, options: StartOptions, now: Date) {
  const started = await startSamlSignIn(db, connection, { relayState: options.returnTo ?? null, now });
  if (!started.ok) return started;
  const binding = await startSsoAttempt(
    db,
    { connectionId: connection.id, purpose: options.purpose, state: generateSecret(), requestId: started.requestId, returnTo: options.returnTo, testerUserId: options.testerUserId, continueUrl: started.redirectUrl },
    now,
  );
  return { ok: true as const, url: new URL(started.redirectUrl), binding };
}
