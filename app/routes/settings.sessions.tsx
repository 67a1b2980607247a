import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import type { SessionAuthMethod } from "../../db/schema";
import { describeDevice } from "~/.server/accounts/device";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { revokeAllOidcGrants } from "~/.server/identity/grants";
import { invalidateSession, invalidateUserSessions, listUserSessions } from "~/.server/session";
import { clearedSessionCookie } from "~/.server/session-cookie";
import { FormMessage, SubmitButton } from "~/components/form";

const SessionActionSchema = z.object({
  intent: z.enum(["end", "end-others"], { error: "Unknown action." }),
  sessionId: z.string().max(64).optional(),
});

// How each session was signed in (sessions record it since two-factor came).
const SIGN_IN_METHODS: Record<SessionAuthMethod, string> = {
  password: "Password",
  "password+totp": "Password and authenticator app",
  "password+passkey": "Password and passkey",
  "password+recovery-code": "Password and recovery code",
  passkey: "Passkey",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireUser(request);
  const sessions = await listUserSessions(getDb(), session.user.id);
  return {
    sessions: sessions.map((s) => ({
      id: s.id,
      device: describeDevice(s.user_agent),
      ip: s.ip,
      createdAt: s.created_at.toISOString(),
      lastSeenAt: s.last_seen_at.toISOString(),
      current: s.id === session.id,
      method: SIGN_IN_METHODS[s.auth_method],
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireUser(request);
  const form = await readForm(request, SessionActionSchema);
  if (!form.ok) return formFailure(form);
  const db = getDb();
  if (form.data.intent === "end-others") {
    const ended = await invalidateUserSessions(db, session.user.id, session.id);
    // Everywhere includes apps and devices signed in through Gatehouse.
    await revokeAllOidcGrants(db, session.user.id);
    return { ok: true as const, ended };
  }
  // Scoped by user: another user's session id simply matches nothing.
  const target = form.data.sessionId ?? "";
  const deleted = await db.deleteFrom("session").where("id", "=", target).where("user_id", "=", session.user.id).executeTakeFirst();
  if (deleted.numDeletedRows === 0n) return formFailure({ formError: "That session had already ended." }, 404);
  if (target === session.id) {
    await invalidateSession(db, session.id);
    throw redirect("/login", { headers: { "Set-Cookie": clearedSessionCookie() } });
  }
  return { ok: true as const, ended: 1 };
}

export const meta: MetaFunction = () => [{ title: "Your sessions" }];

const formatTime = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC";

export default function Sessions() {
  const { sessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="stack wide">
      <h1>Your sessions</h1>
      <p>Every browser or device signed in to your account. End any you do not recognise, then change your password.</p>
      {result?.ok ? <FormMessage tone="success">{result.ended === 1 ? "1 session was ended." : `${result.ended} sessions were ended.`}</FormMessage> : null}
      {result && !result.ok ? <FormMessage tone="error">{result.formError}</FormMessage> : null}
      <table>
        <caption className="visually-hidden">Signed-in sessions</caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">IP address</th>
            <th scope="col">Signed in</th>
            <th scope="col">Signed in with</th>
            <th scope="col">Last active</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id}>
              <td>
                {s.device} {s.current ? <span className="badge">This session</span> : null}
              </td>
              <td>{s.ip ?? "unknown"}</td>
              <td>{formatTime(s.createdAt)}</td>
              <td>{s.method}</td>
              <td>{formatTime(s.lastSeenAt)}</td>
              <td>
                <Form method="post">
                  <input type="hidden" name="intent" value="end" />
                  <input type="hidden" name="sessionId" value={s.id} />
                  <button type="submit" className="link-button" aria-label={`${s.current ? "Log out" : "End"}: ${s.device}, last active ${formatTime(s.lastSeenAt)}`}>
                    {s.current ? "Log out" : "End"}
                  </button>
                </Form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions.length > 1 ? (
        <Form method="post">
          <input type="hidden" name="intent" value="end-others" />
          <SubmitButton variant="danger">Sign out everywhere else</SubmitButton>
        </Form>
      ) : null}
    </div>
  );
}
