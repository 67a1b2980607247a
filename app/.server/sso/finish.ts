// The end of every SSO round trip, whichever protocol carried it: the OIDC
// callback and the SAML assertion consumer both hand their verdict here.
// A test run records what came back on the connection and returns to its
// settings page; a sign-in goes through completeSsoSignIn. Refusals are a
// page with a 4xx status and words a person can act on, and are audited.
import { data } from "@remix-run/node";
import { signedInDestination } from "../accounts/mfa/destination";
import type { Database } from "../db";
import { recordAuditEvent } from "../orgs/audit";
import type { ValidSession, ClientInfo } from "../session";
import { sessionCookie } from "../session-cookie";
import { clearedSsoAttemptCookie, type SsoAttempt } from "./attempts";
import { recordSsoTestResult, type SsoConnection } from "./connections";
import { connectionCoversEmail } from "./domains";
import { pendingLinkCookie } from "./links";
import type { SsoCheck, SsoProfile } from "./profile";
import { completeSsoSignIn, recordSsoRefusal } from "./sign-in";

export type Verdict = { ok: true; profile: SsoProfile; checks: SsoCheck[] } | { ok: false; reason: string; message: string; checks: SsoCheck[]; claims: Record<string, unknown> };

export type SsoRefusalPage = { refused: { title: string; message: string; retry: string | null } };

/** A refusal page's data: its status says which kind (400 a bad answer, 403 a person we may not let in). */
export function refusalPage(status: 400 | 403 | 404 | 409 | 410, title: string, message: string, headers?: HeadersInit, retry: string | null = "/login") {
  return data<SsoRefusalPage>({ refused: { title, message, retry } }, { status, headers });
}

/** Where the admin who ran a test goes back to see its result. */
export async function settingsPath(db: Database, connection: Pick<SsoConnection, "org_id">): Promise<string> {
  if (!connection.org_id) return "/admin/sso";
  const org = await db.selectFrom("org").select("slug").where("id", "=", connection.org_id).executeTakeFirstOrThrow();
  return `/orgs/${org.slug}/sso`;
}

export async function finishSsoAttempt(
  db: Database,
  input: { connection: SsoConnection; attempt: Pick<SsoAttempt, "purpose" | "tester_user_id" | "return_to">; verdict: Verdict; session: ValidSession | null; client: ClientInfo },
  now = new Date(),
) {
  const { connection, attempt, verdict, client } = input;
  const headers = new Headers({ "Set-Cookie": clearedSsoAttemptCookie() });

  if (attempt.purpose === "test") {
    // Only the admin who started the test sees (and records) what came back.
    if (!input.session || input.session.user.id !== attempt.tester_user_id) {
      return refusalPage(403, "This test belongs to someone else", "Start the test again from the connection's settings, signed in as yourself.", headers, null);
    }
    const checks = [...verdict.checks];
    let claims = verdict.ok ? verdict.profile.claims : verdict.claims;
    if (verdict.ok) {
      const covered = await connectionCoversEmail(db, connection, verdict.profile.email);
      checks.push({
        name: "Email domain",
        passed: covered,
        detail: covered ? `${verdict.profile.email} is on a verified domain of this connection.` : `${verdict.profile.email} is not on a verified domain of this connection: add and verify its domain first.`,
      });
      claims = { ...claims, mfa_asserted: verdict.profile.mfaAsserted };
    }
    const passed = checks.every((check) => check.passed);
    await recordSsoTestResult(db, connection.id, { ok: passed, checks, claims: sanitizeClaims(claims), error: verdict.ok ? null : verdict.message }, now);
    if (connection.org_id) {
      await recordAuditEvent(db, {
        orgId: connection.org_id,
        actor: { userId: input.session.user.id, label: input.session.user.email },
        action: "sso.connection_tested",
        target: connection.name,
        ip: client.ip,
        metadata: { passed, ...(verdict.ok ? {} : { reason: verdict.reason }) },
        at: now,
      });
    }
    headers.append("Location", `${await settingsPath(db, connection)}?tested=${connection.id}`);
    return new Response(null, { status: 303, headers });
  }

  if (!verdict.ok) {
    await recordSsoRefusal(db, connection, { reason: verdict.reason, ip: client.ip, now, detail: verdict.checks.find((check) => !check.passed)?.detail });
    return refusalPage(400, "Single sign-on did not work", verdict.message, headers);
  }
  if (!connection.enabled) {
    return refusalPage(403, "Single sign-on is switched off", "This connection is switched off. Ask your administrator, or log in with your password.", headers);
  }
  const outcome = await completeSsoSignIn(db, connection, verdict.profile, client, now);
  if (outcome.kind === "refused") return refusalPage(403, "You cannot sign in this way", outcome.message, headers);
  if (outcome.kind === "link-required") {
    headers.append("Set-Cookie", pendingLinkCookie(outcome.linkToken));
    headers.append("Location", "/sso/link");
    return new Response(null, { status: 303, headers });
  }
  headers.append("Set-Cookie", sessionCookie(outcome.token));
  headers.append("Location", outcome.next ?? signedInDestination(outcome, attempt.return_to));
  return new Response(null, { status: 303, headers });
}

// What a test shows is the IdP's answer, not its secrets: tokens never come
// in claims, but a long value (a picture as a data URL) is cut short.
function sanitizeClaims(claims: Record<string, unknown>): Record<string, unknown> {
  const json = JSON.stringify(claims, (_key, value: unknown) => (typeof value === "string" && value.length > 500 ? `${value.slice(0, 500)}…` : value));
  return json.length > 20_000 ? { note: "The answer was too long to keep." } : (JSON.parse(json) as Record<string, unknown>);
}
