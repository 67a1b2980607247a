import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { eraseAccountNow, scheduleDeletion } from "~/.server/accounts/deletion";
import { listUsers } from "~/.server/accounts/user-list";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { formFailure, readForm } from "~/.server/forms";
import { FormMessage } from "~/components/form";

const DeleteUserSchema = z.object({ userId: z.uuid("Unknown user."), when: z.enum(["grace", "now"], { error: "Choose when." }) });

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
    const erased = await eraseAccountNow(db, { userId: form.data.userId, ip: context.clientIp });
    if (!erased.ok) return ownersFirst(erased.orgs);
    return { ok: true as const, when: erased.outcome === "under-way" ? ("under-way" as const) : ("now" as const) };
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
  return (
    <div className="stack wide">
      <h1>Users</h1>
      <Form method="get" className="toolbar" role="search">
        <label htmlFor="user-search">Search email or name</label>
        <input id="user-search" name="q" type="search" defaultValue={q} />
        <button type="submit" className="button secondary">
          Search
        </button>
      </Form>
      {result?.ok ? <FormMessage tone="success">{result.when === "now" ? "The user was erased." : result.when === "under-way" ? "The user's erasure is under way." : "The user's deletion is scheduled."}</FormMessage> : null}
      {result && !result.ok ? <FormMessage tone="error">{result.formError}</FormMessage> : null}
      <table>
        <caption className="visually-hidden">Users</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Name</th>
            <th scope="col">Joined</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id}>
              <td>{user.email}</td>
              <td>{user.name ?? ""}</td>
              <td>{user.created_at.slice(0, 10)}</td>
              <td>
                {user.purge_after ? `deletion on ${user.purge_after.slice(0, 10)}` : user.email_verified_at ? "active" : "unverified"}
                {user.is_operator ? " · operator" : ""}
              </td>
              <td>
                {user.purge_after ? null : (
                  <Form method="post" className="inline-form">
                    <input type="hidden" name="userId" value={user.id} />
                    <button type="submit" name="when" value="grace" className="link-button">
                      Delete after grace period<span className="visually-hidden"> {user.email}</span>
                    </button>
                    <button type="submit" name="when" value="now" className="link-button">
                      Erase now<span className="visually-hidden"> {user.email}</span>
                    </button>
                  </Form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {users.length === 0 ? <p>No users match.</p> : null}
      {nextCursor || before ? (
        <nav aria-label="Pages" className="toolbar">
          {before ? <Link to={withQuery({})}>Newest</Link> : null}
          {nextCursor ? <Link to={withQuery({ before: nextCursor })}>Older users</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}
