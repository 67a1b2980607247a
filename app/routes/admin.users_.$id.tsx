import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { z } from "zod";
import { cancelDeletion, eraseAccountNow, scheduleDeletion } from "~/.server/accounts/deletion";
import { findUserForOperator } from "~/.server/admin/user-detail";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { findDeletionReach } from "~/.server/events/deletion-reach";
import { confirmedField, confirmTextField, typedNameMatches } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { invalidateUserSessions } from "~/.server/session";
import { Alert } from "~/components/alert";
import { Badge, PlanBadge, RoleBadge, StatusBadge } from "~/components/badge";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { ConfirmAction } from "~/components/confirm-action";
import { EmptyState } from "~/components/empty-state";
import { Page } from "~/components/page";
import { exactTimeText, RelativeTime } from "~/components/relative-time";
import { Table } from "~/components/table";

// What an operator may do to one account. Every change but cancelling a
// deletion asks first; erasing now also needs the address typed.
const UserActionSchema = z.object({
  intent: z.enum(["end-sessions", "delete-grace", "erase-now", "cancel-deletion"], { error: "Unknown action." }),
  confirm: confirmedField.optional(),
  confirmText: confirmTextField.optional(),
});

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOperator(request);
  const validId = z.uuid().safeParse(params.id).success;
  const found = validId ? await findUserForOperator(getDb(), params.id!) : null;
  // An erased account: what is left is whether the apps were told.
  if (!found && validId && (await findDeletionReach(getDb(), params.id!))) throw redirect(`/admin/users/erased/${params.id}`);
  if (!found) throw new Response("Not Found", { status: 404 });
  const { user, sessions, orgs } = found;
  return {
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      createdAt: user.created_at.toISOString(),
      verifiedAt: user.email_verified_at?.toISOString() ?? null,
      operator: user.is_operator,
      deletionRequestedAt: user.deletion_requested_at?.toISOString() ?? null,
      purgeAfter: user.purge_after?.toISOString() ?? null,
    },
    sessions: sessions.map((s) => ({ label: s.device.label, type: s.device.type, ip: s.ip, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt.toISOString() })),
    orgs: orgs.map((o) => ({ slug: o.slug, name: o.name, plan: o.plan, role: o.role, joinedAt: o.created_at.toISOString() })),
    graceDays: getEnv().ACCOUNT_DELETION_GRACE_DAYS,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const session = await requireOperator(request);
  const userId = params.id ?? "";
  const db = getDb();
  const found = z.uuid().safeParse(userId).success ? await findUserForOperator(db, userId) : null;
  if (!found) throw new Response("Not Found", { status: 404 });
  const form = await readForm(request, UserActionSchema);
  if (!form.ok) return formFailure(form);
  const { intent, confirm, confirmText } = form.data;
  if (intent !== "cancel-deletion" && confirm !== "yes") return formFailure({ formError: "Please confirm this action first. Nothing was changed." }, 400);
  if (userId === session.user.id && intent !== "end-sessions") return formFailure({ formError: "Delete your own account from Settings." }, 400);

  switch (intent) {
    case "end-sessions": {
      // An operator ending their own sessions keeps the one they are using.
      const ended = await invalidateUserSessions(db, userId, userId === session.user.id ? session.id : undefined);
      return { ok: true as const, message: ended === 1 ? "1 session was ended." : `${ended} sessions were ended.` };
    }
    case "cancel-deletion": {
      const cancelled = await cancelDeletion(db, userId, context.clientIp);
      if (!cancelled.ok) return formFailure({ formError: "No deletion was underway." }, 409);
      return { ok: true as const, message: "The deletion was cancelled. They have been emailed." };
    }
    case "delete-grace":
    case "erase-now": {
      const soleOwner = (orgs: string[]) => formFailure({ formError: `They are the only owner of ${orgs.join(", ")}, which has other members. Ownership must move first.` }, 409);
      if (intent === "erase-now") {
        if (confirmText === undefined || !typedNameMatches(confirmText, found.user.email)) {
          return formFailure({ formError: "The address you typed does not match. Nothing was changed." }, 400);
        }
        // One lock order and a purge lease (ADR 0010): a second operator's
        // click, or the scheduled job, finds it under way instead of racing it.
        const erased = await eraseAccountNow(db, { userId, ip: context.clientIp });
        if (!erased.ok) return soleOwner(erased.orgs);
        // Nothing is left to show but whether the apps were told (a long history is finished by the job within a minute).
        throw redirect(erased.outcome === "erased" && (await findDeletionReach(db, userId)) ? `/admin/users/erased/${userId}` : "/admin/users");
      }
      if (!found.user.purge_after) {
        const scheduled = await scheduleDeletion(db, { userId, password: null, ip: context.clientIp, graceDays: getEnv().ACCOUNT_DELETION_GRACE_DAYS });
        if (!scheduled.ok) return scheduled.reason === "sole-owner" ? soleOwner(scheduled.orgs) : formFailure({ formError: "Could not delete." }, 409);
      }
      return { ok: true as const, message: "Their deletion is scheduled. They have been emailed." };
    }
  }
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.user.email} — Users` : "User" }];

type ActionResult = { ok: true; message: string } | { ok: false; formError?: string; fieldErrors: Record<string, string> };

export default function AdminUser() {
  const { user, sessions, orgs, graceDays } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as ActionResult | undefined;
  const facts: Array<[string, React.ReactNode]> = [
    ["Name", user.name ?? "—"],
    ["Joined", <RelativeTime key="joined" iso={user.createdAt} />],
    ["Email", user.verifiedAt ? <>Verified <RelativeTime iso={user.verifiedAt} /></> : "Not verified"],
    ["Operator", user.operator ? "Yes" : "No"],
    ["Deletion", user.purgeAfter ? `Requested ${user.deletionRequestedAt ? exactTimeText(new Date(user.deletionRequestedAt)) : ""}; erased after ${exactTimeText(new Date(user.purgeAfter))}` : "None requested"],
  ];
  return (
    <Page
      title={user.email}
      eyebrow={<Link to="/admin/users">Users</Link>}
      description={user.purgeAfter ? "This account is being deleted." : undefined}
      actions={
        <span className="cluster">
          {user.operator ? <Badge tone="accent">Operator</Badge> : null}
          {user.purgeAfter ? <StatusBadge status="deleting">Deleting</StatusBadge> : user.verifiedAt ? <StatusBadge status="active" /> : <StatusBadge status="pending">Unverified</StatusBadge>}
        </span>
      }
    >
      <div className="stack">
        {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
        {result && !result.ok ? <Alert tone="danger">{result.formError ?? Object.values(result.fieldErrors)[0] ?? "That did not work. Nothing was changed."}</Alert> : null}

        <Card title="Account">
          <dl className="facts">
            {facts.map(([term, value]) => (
              <Fragment key={term}>
                <dt>{term}</dt>
                <dd>{value}</dd>
              </Fragment>
            ))}
          </dl>
        </Card>

        <Card title="Organizations">
          {orgs.length === 0 ? (
            <p className="muted">Not a member of any organization.</p>
          ) : (
            <Table caption="Organizations of this user" stack>
              <thead>
                <tr>
                  <th scope="col">Organization</th>
                  <th scope="col">Role</th>
                  <th scope="col">Plan</th>
                  <th scope="col">Joined</th>
                </tr>
              </thead>
              <tbody>
                {orgs.map((o) => (
                  <tr key={o.slug}>
                    <td data-label="Organization">
                      {o.name} <span className="muted small">/{o.slug}</span>
                    </td>
                    <td data-label="Role">
                      <RoleBadge role={o.role} />
                    </td>
                    <td data-label="Plan">
                      <PlanBadge plan={o.plan} />
                    </td>
                    <td data-label="Joined">
                      <RelativeTime iso={o.joinedAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Card>

        <Card
          title="Sessions"
          actions={
            sessions.length > 0 ? (
              <ConfirmAction
                id="end-sessions"
                label="Sign out everywhere"
                title={`Sign ${user.email} out everywhere?`}
                description={`${sessions.length === 1 ? "Their 1 session ends" : `All ${sessions.length} of their sessions end`} at once. They can sign in again.`}
                confirmLabel="End their sessions"
                fields={{ intent: "end-sessions" }}
              />
            ) : null
          }
        >
          {sessions.length === 0 ? (
            <EmptyState title="Not signed in anywhere" />
          ) : (
            <ul className="link-list" aria-label="Their sessions">
              {sessions.map((s, i) => (
                <li key={i}>
                  <span className="link-list__main">
                    <strong>{s.label}</strong>
                    <span className="link-list__meta">
                      {s.ip ?? "IP unknown"} · last active <RelativeTime iso={s.lastSeenAt} /> · signed in <RelativeTime iso={s.createdAt} />
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <Card tone="danger" title="Delete this account" description="For a deletion request that reached you. The same rules as Settings → Delete account: an only owner of an org with other members must hand it over first.">
          {user.purgeAfter ? (
            <div className="stack-sm">
              <p>Their data is erased after {exactTimeText(new Date(user.purgeAfter))}, unless they sign in and cancel.</p>
              <div className="form-actions">
                <Form method="post">
                  <input type="hidden" name="intent" value="cancel-deletion" />
                  <Button variant="secondary">Cancel the deletion</Button>
                </Form>
                <ConfirmAction
                  id="erase-now"
                  label="Erase now"
                  title={`Erase ${user.email} now?`}
                  description="Everything about this person is erased at once, without waiting for the grace period. This cannot be undone."
                  confirmLabel="Erase now"
                  fields={{ intent: "erase-now" }}
                  typeToConfirm={user.email}
                  size="normal"
                />
              </div>
            </div>
          ) : (
            <div className="form-actions">
              <ConfirmAction
                id="delete-grace"
                label={`Delete after ${graceDays} days`}
                title={`Delete ${user.email}?`}
                description={`Their sessions end now and their data is erased in ${graceDays} days. They are emailed, and can cancel by signing in.`}
                confirmLabel="Schedule deletion"
                fields={{ intent: "delete-grace" }}
                size="normal"
              />
              <ConfirmAction
                id="erase-now"
                label="Erase now"
                title={`Erase ${user.email} now?`}
                description="Everything about this person is erased at once. This cannot be undone."
                confirmLabel="Erase now"
                fields={{ intent: "erase-now" }}
                typeToConfirm={user.email}
                size="normal"
                triggerVariant="secondary"
              />
            </div>
          )}
        </Card>
      </div>
    </Page>
  );
}
