import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { eraseAccountNow, scheduleDeletion } from "~/.server/accounts/deletion";
import { findUserIdentity } from "~/.server/accounts/lookup";
import { listUsers } from "~/.server/accounts/user-list";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { findDeletionReach } from "~/.server/events/deletion-reach";
import { confirmedField, confirmTextField, TYPED_NAME_MISMATCH, typedNameMatches } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { Alert } from "~/components/alert";
import { Badge, StatusBadge } from "~/components/badge";
import { Button, buttonClass } from "~/components/button";
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
  const search = new URL(request.url).searchParams;
  const q = (search.get("q") ?? "").trim().slice(0, 200);
  const before = search.get("before");
  const { users, nextCursor } = await listUsers(getDb(), { search: q, before });
  return {
    q,
    before: before ?? "",
    nextCursor,
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
  const ownersFirst = (orgs: string[]) => formFailure({ formError: `They are the only owner of ${orgs.join(", ")}, which has other members. Ownership must move first.` }, 409);
  if (form.data.when === "now") {
    const target = await findUserIdentity(db, form.data.userId);
    // Already gone (another operator's erase finished first): nothing left to erase.
    if (!target) return { ok: true as const, when: "now" as const };
    if (!typedNameMatches(form.data.confirmText ?? "", target.email)) return formFailure({ formError: TYPED_NAME_MISMATCH }, 400);
    const erased = await eraseAccountNow(db, { userId: form.data.userId, ip: context.clientIp });
    if (!erased.ok) return ownersFirst(erased.orgs);
    // Once erased, what is left to see is whether the connected apps were told (user.deleted).
    const appsToldPage = erased.outcome === "erased" && (await findDeletionReach(db, form.data.userId)) ? `/admin/users/erased/${form.data.userId}` : null;
    return { ok: true as const, when: erased.outcome === "under-way" ? ("under-way" as const) : ("now" as const), appsToldPage };
  }
  const scheduled = await scheduleDeletion(db, { userId: form.data.userId, password: null, ip: context.clientIp, graceDays: getEnv().ACCOUNT_DELETION_GRACE_DAYS });
  if (!scheduled.ok && scheduled.reason === "sole-owner") return ownersFirst(scheduled.orgs);
  if (!scheduled.ok) return formFailure({ formError: "That account no longer exists." }, 404);
  return { ok: true as const, when: form.data.when };
}

export const meta: MetaFunction = () => [{ title: "Users" }];

export default function AdminUsers() {
  const { users, q, before, nextCursor } = useLoaderData<typeof loader>();
  const withQuery = (extra: Record<string, string>) => `/admin/users?${new URLSearchParams({ ...(q ? { q } : {}), ...extra })}`;
  const result = useActionData<typeof action>();
  const problem = result && !result.ok ? (result.formError ?? result.fieldErrors.confirm ?? result.fieldErrors.confirmText) : undefined;
  return (
    <Page width="wide" title="Users" description="Find an account, and delete it when its owner asks you to.">
      <Form method="get" className="filters" role="search">
        <Field id="user-search" label="Search email or name" name="q" type="search" defaultValue={q} />
        <Button variant="secondary">Search</Button>
      </Form>
      {result?.ok ? (
        <Alert tone="success">
          <p>{result.when === "now" ? "The user was erased." : result.when === "under-way" ? "The user's erasure is under way." : "The user's deletion is scheduled."}</p>
          {"appsToldPage" in result && result.appsToldPage ? (
            <p>
              <Link to={result.appsToldPage}>See whether the connected apps were told</Link>
            </p>
          ) : null}
        </Alert>
      ) : null}
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      {users.length === 0 ? (
        <EmptyState title={q ? "No account matches" : "No accounts yet"}>{q ? `Nothing matches “${q}”. Try part of the email address.` : "Accounts appear here as people sign up."}</EmptyState>
      ) : (
        <Table caption={`Users (${users.length}${nextCursor || before ? " on this page" : ""})`} stack>
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
      {nextCursor || before ? (
        <nav aria-label="Pages" className="table-footer">
          {before ? (
            <Link to={withQuery({})} className={buttonClass("secondary", "small")}>
              Newest
            </Link>
          ) : (
            <span />
          )}
          {nextCursor ? (
            <Link to={withQuery({ before: nextCursor })} className={buttonClass("secondary", "small")}>
              Older users
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </Page>
  );
}
