import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { purgeUser, scheduleDeletion } from "~/.server/accounts/deletion";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { findUserIdentity } from "~/.server/accounts/lookup";
import { confirmedField, confirmTextField, TYPED_NAME_MISMATCH, typedNameMatches } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { Alert } from "~/components/alert";
import { Badge, StatusBadge } from "~/components/badge";
import { Button } from "~/components/button";
import { ConfirmAction } from "~/components/confirm-action";
import { EmptyState } from "~/components/empty-state";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { ActionsHeader, Table } from "~/components/table";

// Both need the confirmation step; erasing at once also needs the email typed.
const DeleteUserSchema = z.object({ userId: z.uuid("Unknown user."), when: z.enum(["grace", "now"], { error: "Choose when." }), confirm: confirmedField, confirmText: confirmTextField.optional() });

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  const q = (new URL(request.url).searchParams.get("q") ?? "").trim().slice(0, 200);
  let query = getDb()
    .selectFrom("user")
    .select(["id", "email", "name", "created_at", "email_verified_at", "is_operator", "purge_after"])
    .orderBy("created_at", "desc")
    .limit(100);
  if (q) {
    const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb("email", "ilike", pattern), eb("name", "ilike", pattern)]));
  }
  const users = await query.execute();
  return {
    q,
    users: users.map((u) => ({ ...u, created_at: u.created_at.toISOString(), email_verified_at: u.email_verified_at?.toISOString() ?? null, purge_after: u.purge_after?.toISOString() ?? null })),
  };
}

// A deletion request that reached the operator (common in self-hosted installs):
// the same grace period as Settings → Delete Account, or an immediate purge.
export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireOperator(request);
  const form = await readForm(request, DeleteUserSchema);
  if (!form.ok) return formFailure(form);
  if (form.data.userId === session.user.id) return formFailure({ formError: "Delete your own account from Settings." }, 400);
  const db = getDb();
  if (form.data.when === "now") {
    const target = await findUserIdentity(db, form.data.userId);
    if (!target) return formFailure({ formError: "That account no longer exists." }, 404);
    if (!typedNameMatches(form.data.confirmText ?? "", target.email)) return formFailure({ formError: TYPED_NAME_MISMATCH }, 400);
  }
  const graceDays = form.data.when === "now" ? 0 : getEnv().ACCOUNT_DELETION_GRACE_DAYS;
  const scheduled = await scheduleDeletion(db, { userId: form.data.userId, password: null, ip: context.clientIp, graceDays });
  if (!scheduled.ok) {
    return formFailure({ formError: scheduled.reason === "sole-owner" ? `They are the only owner of ${scheduled.orgs.join(", ")}, which has other members. Ownership must move first.` : "Could not delete." }, 409);
  }
  if (form.data.when === "now") await db.transaction().execute((tx) => purgeUser(tx, form.data.userId));
  return { ok: true as const, when: form.data.when };
}

export const meta: MetaFunction = () => [{ title: "Users" }];

export default function AdminUsers() {
  const { users, q } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const problem = result && !result.ok ? (result.formError ?? result.fieldErrors.confirm ?? result.fieldErrors.confirmText) : undefined;
  return (
    <Page width="wide" title="Users" description="Find an account, and delete it when its owner asks you to.">
      <Form method="get" className="filters" role="search">
        <Field id="user-search" label="Search email or name" name="q" type="search" defaultValue={q} />
        <Button variant="secondary">Search</Button>
      </Form>
      {result?.ok ? <Alert tone="success">{result.when === "now" ? "The user was erased." : "The user's deletion is scheduled."}</Alert> : null}
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      {users.length === 0 ? (
        <EmptyState title={q ? "No account matches" : "No accounts yet"}>{q ? `Nothing matches “${q}”. Try part of the email address.` : "Accounts appear here as people sign up."}</EmptyState>
      ) : (
        <Table caption={`Users (${users.length}${users.length === 100 ? "+" : ""})`} stack>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Name</th>
              <th scope="col">Joined</th>
              <th scope="col">Status</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id}>
                <td data-label="Email">
                  <strong>
                    <Link to={`/admin/users/${user.id}`}>{user.email}</Link>
                  </strong>
                </td>
                <td data-label="Name">{user.name ?? ""}</td>
                <td data-label="Joined">
                  <RelativeTime iso={user.created_at} />
                </td>
                <td data-label="Status">
                  <span className="cluster">
                    {user.purge_after ? (
                      <StatusBadge status="deleting">Deletion on {user.purge_after.slice(0, 10)}</StatusBadge>
                    ) : user.email_verified_at ? (
                      <StatusBadge status="active" />
                    ) : (
                      <StatusBadge status="pending">Unverified</StatusBadge>
                    )}
                    {user.is_operator ? <Badge tone="accent">Operator</Badge> : null}
                  </span>
                </td>
                <td className="table__actions">
                  {user.purge_after ? null : (
                    <>
                      <ConfirmAction
                        id={`grace-${user.id}`}
                        fields={{ userId: user.id, when: "grace" }}
                        label="Delete after grace period"
                        context={user.email}
                        triggerVariant="secondary"
                        title={`Delete ${user.name ?? user.email}?`}
                        description="They are signed out everywhere now, and their account is erased after the grace period. Logging in before then lets them cancel."
                        confirmLabel="Schedule deletion"
                      />
                      <ConfirmAction
                        id={`erase-${user.id}`}
                        fields={{ userId: user.id, when: "now" }}
                        label="Erase now"
                        context={user.email}
                        title={`Erase ${user.name ?? user.email} now?`}
                        description="Their account and personal data are erased at once, with no grace period. This cannot be undone."
                        confirmLabel="Erase now"
                        typeToConfirm={user.email}
                      />
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Page>
  );
}
