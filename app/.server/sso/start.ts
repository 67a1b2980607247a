// Leaving for a connection's IdP, whichever protocol it speaks: the answer is
// a 303 to the IdP with the attempt's cookie, or a reason it cannot start.
import type { Database } from "../db";
import { ssoAttemptCookie } from "./attempts";
import type { SsoConnection } from "./connections";
import { startOidcSignIn, type StartOptions } from "./oidc/sign-in";

export type StartResult = { ok: true; response: Response } | { ok: false; message: string };

export async function startSsoSignIn(db: Database, connection: SsoConnection, options: StartOptions, now = new Date()): Promise<StartResult> {
  const started = connection.kind === "oidc" ? await startOidcSignIn(db, connection, options, now) : { ok: false as const, message: "SAML sign-in is not available on this server yet." };
  if (!started.ok) return started;
  const headers = new Headers({ Location: started.url.href, "Set-Cookie": ssoAttemptCookie(started.binding), "Cache-Control": "no-store" });
  return { ok: true, response: new Response(null, { status: 303, headers }) };
}
