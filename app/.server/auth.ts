// Who is asking. The first line of every protected loader and action:
//   const { user } = await requireUser(request);
// The session is looked up once per request, however many loaders ask.
import { redirect } from "@remix-run/node";
import { getDb } from "./db";
import { oncePerRequest, requestStore } from "./http/request-context";
import { validateSessionToken, type ValidSession } from "./session";
import { clearedSessionCookie, readSessionToken } from "./session-cookie";

export function getSession(request: Request): Promise<ValidSession | null> {
  return oncePerRequest(request, "session", () => {
    const token = readSessionToken(request);
    if (!token) return Promise.resolve(null);
    const clientIp = requestStore.getStore()?.clientIp ?? null;
    return validateSessionToken(getDb(), token, { ip: clientIp, userAgent: request.headers.get("user-agent") });
  });
}

/**
 * Signed-in and verified, or a redirect: to log in, to finish verification, or
 * (during a deletion's grace period) to the page whose only offer is to cancel it.
 */
export async function requireUser(request: Request, options: { allowUnverified?: boolean; allowPendingDeletion?: boolean } = {}): Promise<ValidSession> {
  const session = await getSession(request);
  if (!session) {
    const url = new URL(request.url);
    const headers = readSessionToken(request) ? { "Set-Cookie": clearedSessionCookie() } : undefined;
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`, { headers });
  }
  if (session.user.deletionPending && !options.allowPendingDeletion) throw redirect("/settings/delete-account");
  if (!options.allowUnverified && !session.user.emailVerified) throw redirect("/verify-email");
  return session;
}

/** Operators only. Everyone else gets the same 404 as for a page that does not exist. */
export async function requireOperator(request: Request): Promise<ValidSession> {
  const session = await requireUser(request);
  if (!session.user.isOperator) throw new Response("Not Found", { status: 404 });
  return session;
}
