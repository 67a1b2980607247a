// /sso/saml/:connection/acs, the assertion consumer service.
// POST: the IdP's answer (HTTP-POST binding), checked by the SAML library.
//   - An answer to a sign-in we started (InResponseTo) is parked on its
//     attempt, and the browser is sent on to GET this address: that
//     same-site request carries our cookies, so it finishes only in the
//     browser that started (the POST, cross-site, carries none).
//   - An IdP-initiated answer (no InResponseTo) signs in at once, to the
//     RelayState only if it is a path of ours.
// GET: finishes a parked SP-initiated answer.
// Refusals are a 4xx page and an audit event, never a 500.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { clearedSsoAttemptCookie, parkSamlVerdict, readSsoAttemptCookie, takeSsoAttempt } from "~/.server/sso/attempts";
import { findSsoConnection } from "~/.server/sso/connections";
import { finishSsoAttempt, refusalPage, type Verdict } from "~/.server/sso/finish";
import { safeRelayState, validateSamlResponse } from "~/.server/sso/saml";
import { recordSsoRefusal } from "~/.server/sso/sign-in";
import { SsoRefusal } from "~/components/sso-refusal";

const UNKNOWN = () => refusalPage(404, "Unknown sign-in connection", "This sign-in address does not belong to any connection. Start again from the log-in page.");
const EXPIRED = "This answer from your identity provider does not belong to a sign-in started in this browser in the last ten minutes. Start again from the log-in page.";

export async function action({ request, params, context }: ActionFunctionArgs) {
  const db = getDb();
  const connection = await findSsoConnection(db, params.connection ?? "");
  if (!connection || connection.kind !== "saml") return UNKNOWN();
  const ip = context.clientIp ?? null;
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return refusalPage(400, "Single sign-on did not work", "The identity provider's answer could not be read.");
  }
  const relayState = form.get("RelayState");
  const result = await validateSamlResponse(db, connection, { samlResponse: form.get("SAMLResponse"), relayState: relayState ?? undefined });
  if (!result.ok) {
    await recordSsoRefusal(db, connection, { reason: result.reason, ip, detail: result.checks.find((check) => !check.passed)?.detail });
    return refusalPage(400, "Single sign-on did not work", result.message);
  }
  const verdict: Verdict = { ok: true, profile: result.profile, checks: result.checks };
  if (result.inResponseTo) {
    if (!(await parkSamlVerdict(db, connection.id, result.inResponseTo, verdict))) {
      await recordSsoRefusal(db, connection, { reason: "unknown-attempt", ip, email: result.profile.email });
      return refusalPage(400, "This sign-in has expired", EXPIRED);
    }
    return new Response(null, { status: 303, headers: { Location: new URL(request.url).pathname, "Cache-Control": "no-store" } });
  }
  // IdP-initiated: nothing of ours started it, so there is no attempt to bind; the signed, unreplayed assertion is the proof.
  const attempt = { purpose: "sign-in" as const, tester_user_id: null, return_to: result.relayState ? safeRelayState(result.relayState) : null };

  return finishSsoAttempt(db, { connection, attempt, verdict, session: null, client: { ip, userAgent: request.headers.get("user-agent") } });
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const db = getDb();
  const connection = await findSsoConnection(db, params.connection ?? "");
  if (!connection || connection.kind !== "saml") return UNKNOWN();
  const attempt = await takeSsoAttempt(db, readSsoAttemptCookie(request), connection.id);
  if (!attempt?.verdict) {
    await recordSsoRefusal(db, connection, { reason: "unknown-attempt", ip: context.clientIp ?? null });
    return refusalPage(400, "This sign-in has expired", EXPIRED, { "Set-Cookie": clearedSsoAttemptCookie() });
  }
  const verdict = attempt.verdict as unknown as Verdict;
  const client = { ip: context.clientIp ?? null, userAgent: request.headers.get("user-agent") };
  return finishSsoAttempt(db, { connection, attempt, verdict, session: await getSession(request), client });
}

export const meta: MetaFunction = () => [{ title: "Single sign-on" }];

export default function SamlAcs() {
  const { refused } = useLoaderData<typeof loader>();
  return <SsoRefusal {...refused} />;
}
