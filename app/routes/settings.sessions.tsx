import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import type { SessionAuthMethod } from "../../db/schema";
import { parseDevice, type DeviceType } from "~/.server/accounts/device";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { confirmedField } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { revokeAllOidcGrants } from "~/.server/identity/grants";
import { invalidateSession, invalidateUserSessions, listUserSessions } from "~/.server/session";
import { clearedSessionCookie } from "~/.server/session-cookie";
import { Alert } from "~/components/alert";
import { Badge } from "~/components/badge";
import { Card } from "~/components/card";
import { ConfirmAction } from "~/components/confirm-action";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";

// Ending sessions asks first (ConfirmAction), and the server takes it only
// with confirm=yes: a bare POST ends nothing.
const SessionActionSchema = z.object({
  intent: z.enum(["end", "end-others"], { error: "Unknown action." }),
  sessionId: z.string().max(64).optional(),
  confirm: confirmedField,
});

// How each session was signed in (sessions record it since two-factor came).
const SIGN_IN_METHODS: Record<SessionAuthMethod, string> = {
  password: "Password",
  "password+totp": "Password and authenticator app",
  "password+passkey": "Password and passkey",
  "password+recovery-code": "Password and recovery code",
  passkey: "Passkey",
  sso: "Single sign-on",
};

const DEVICE_TYPES: Record<DeviceType, string> = { desktop: "Computer", mobile: "Phone", tablet: "Tablet", tv: "TV", bot: "Automated client", unknown: "Unknown type" };

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireUser(request);
  const sessions = await listUserSessions(getDb(), session.user.id);
  const views = sessions.map((s) => {
    const device = parseDevice(s.user_agent);
    return {
      id: s.id,
      label: device.label,
      type: DEVICE_TYPES[device.type],
      ip: s.ip,
      createdAt: s.created_at.toISOString(),
      lastSeenAt: s.last_seen_at.toISOString(),
      current: s.id === session.id,
      method: SIGN_IN_METHODS[s.auth_method],
    };
  });
  // This device first, then the others by last activity.
  return { sessions: [...views.filter((s) => s.current), ...views.filter((s) => !s.current)] };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireUser(request);
  const form = await readForm(request, SessionActionSchema);
  if (!form.ok) return formFailure(form.fieldErrors.confirm ? { formError: form.fieldErrors.confirm } : form);
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

export default function Sessions() {
  const { sessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const others = sessions.filter((s) => !s.current).length;
  return (
    <Page
      title="Your sessions"
      description="Every browser or device signed in to your account. End any you do not recognise, then change your password."
      actions={
        others > 0 ? (
          <ConfirmAction
            id="end-others"
            label="Sign out everywhere else"
            title="Sign out everywhere else?"
            description={`${others === 1 ? "1 other session ends" : `${others} other sessions end`} at once. This device stays signed in.`}
            confirmLabel="Sign out other sessions"
            fields={{ intent: "end-others" }}
            size="normal"
          />
        ) : null
      }
    >
      <div className="stack">
        {result?.ok ? <Alert tone="success">{result.ended === 1 ? "1 session was ended." : `${result.ended} sessions were ended.`}</Alert> : null}
        {result && !result.ok ? <Alert tone="danger">{result.formError ?? "That did not work. Nothing was changed."}</Alert> : null}
        <Card>
          <ul className="link-list" aria-label="Signed-in sessions">
            {sessions.map((s, index) => (
              <li key={s.id}>
                <div className="link-list__main">
                  <span className="cluster">
                    <strong>{s.label}</strong>
                    {s.current ? <Badge tone="success">This device</Badge> : null}
                  </span>
                  <span className="link-list__meta">
                    {s.type} · {s.ip ?? "IP unknown"}
                  </span>
                  <span className="link-list__meta">
                    {s.current ? (
                      "Active now"
                    ) : (
                      <>
                        Last active <RelativeTime iso={s.lastSeenAt} />
                      </>
                    )}{" "}
                    · Signed in <RelativeTime iso={s.createdAt} />
                  </span>
                  <span className="link-list__meta">Signed in with: {s.method}</span>
                </div>
                <ConfirmAction
                  // By position, not session id: the no-JS step puts this id in the URL, which gets logged.
                  id={`end-${index}`}
                  label={s.current ? "Log out" : "End session"}
                  context={`${s.label}, ${s.ip ?? "IP unknown"}`}
                  title={s.current ? "Log out on this device?" : `End the session on ${s.label}?`}
                  description={s.current ? "You will need to sign in again here." : `${s.label}${s.ip ? ` at ${s.ip}` : ""} is signed out at once.`}
                  confirmLabel={s.current ? "Log out" : "End session"}
                  fields={{ intent: "end", sessionId: s.id }}
                  triggerVariant="secondary"
                />
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </Page>
  );
}
