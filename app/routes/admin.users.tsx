import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { purgeUser, scheduleDeletion } from "~/.server/accounts/deletion";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { formFailure, readForm } from "~/.server/forms";
import { FormMessage } from "~/components/form";

const DeleteUserSchema = z.object({ userId: z.uuid("Unknown user."), when: z.enum(["grace", "now"], { error: "Choose when." }) });

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
      {result?.ok ? <FormMessage tone="success">{result.when === "now" ? "The user was erased." : "The user's deletion is scheduled."}</FormMessage> : null}
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
              <td>
                <Link to={`/admin/users/${user.id}`}>{user.email}</Link>
              </td>
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
    </div>
  );
}
