// GET /sso/oidc/:connection/callback: where an OIDC IdP sends the browser
// back. Only an answer to a sign-in this browser started (its cookie finds
// the attempt) is looked at; anything else is a clear 400, never a session.
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { clearedSsoAttemptCookie, readSsoAttemptCookie, takeSsoAttempt } from "~/.server/sso/attempts";
import { findSsoConnection } from "~/.server/sso/connections";
import { finishSsoAttempt, refusalPage } from "~/.server/sso/finish";
import { finishOidcSignIn } from "~/.server/sso/oidc/sign-in";
import { recordSsoRefusal } from "~/.server/sso/sign-in";
import { SsoRefusal } from "~/components/sso-refusal";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const db = getDb();
  const connection = await findSsoConnection(db, params.connection ?? "");
  if (!connection || connection.kind !== "oidc") return refusalPage(404, "Unknown sign-in connection", "This sign-in link does not belong to any connection. Start again from the log-in page.");
  const search = new URL(request.url).searchParams;
  const attempt = await takeSsoAttempt(db, readSsoAttemptCookie(request), connection.id);
  const headers = { "Set-Cookie": clearedSsoAttemptCookie() };
  if (!attempt || attempt.state !== search.get("state")) {
    await recordSsoRefusal(db, connection, { reason: "unknown-attempt", ip: context.clientIp ?? null });
    return refusalPage(400, "This sign-in has expired", "This answer from your identity provider does not belong to a sign-in started in this browser in the last ten minutes. Start again from the log-in page.", headers);
  }
  const verdict = await finishOidcSignIn(connection, search, attempt);
  const client = { ip: context.clientIp ?? null, userAgent: request.headers.get("user-agent") };
  return finishSsoAttempt(db, { connection, attempt, verdict, session: await getSession(request), client });
}

export const meta: MetaFunction = () => [{ title: "Single sign-on" }];

export default function OidcCallback() {
  const { refused } = useLoaderData<typeof loader>();
  return <SsoRefusal {...refused} />;
}
