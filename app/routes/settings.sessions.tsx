import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { describeDevice } from "~/.server/accounts/device";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { confirmedField } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { invalidateSession, invalidateUserSessions, listUserSessions } from "~/.server/session";
import { clearedSessionCookie } from "~/.server/session-cookie";
import { ConfirmAction } from "~/components/confirm-action";
import { FormMessage } from "~/components/form";

const SessionActionSchema = z.object({
  intent: z.enum(["end", "end-others"], { error: "Unknown action." }),
  sessionId: z.string().max(64).optional(),
  // Ending sessions needs the confirmation step (components/confirm-action.tsx).
  confirm: confirmedField,
});

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
      {result && !result.ok ? <FormMessage tone="error">{result.formError ?? result.fieldErrors.confirm}</FormMessage> : null}
      <table>
        <caption className="visually-hidden">Signed-in sessions</caption>
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">IP address</th>
            <th scope="col">Signed in</th>
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
              <td>{formatTime(s.lastSeenAt)}</td>
              <td>
                <ConfirmAction
                  id={`end-${s.id}`}
                  fields={{ intent: "end", sessionId: s.id }}
                  label={s.current ? "Log out" : "End"}
                  context={`${s.device}, last active ${formatTime(s.lastSeenAt)}`}
                  triggerVariant="secondary"
                  title={s.current ? "Log out of this browser?" : `End the session on ${s.device}?`}
                  description={s.current ? "You will need to log in again here." : "That browser or device is signed out at once. If you did not recognise it, change your password next."}
                  confirmLabel={s.current ? "Log out" : "End session"}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions.length > 1 ? (
        <div>
          <ConfirmAction
            id="end-others"
            fields={{ intent: "end-others" }}
            label="Sign out everywhere else"
            size="normal"
            title="Sign out everywhere else?"
            description={`The other ${sessions.length - 1 === 1 ? "session is" : `${sessions.length - 1} sessions are`} ended at once; this browser stays signed in.`}
            confirmLabel="Sign out other sessions"
          />
        </div>
      ) : null}
    </div>
  );
}
