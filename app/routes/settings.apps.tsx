import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { listUserAuthorizations, revokeUserAuthorization } from "~/.server/identity/grants";
import { describeScopes } from "~/.server/identity/scopes";
import { FormMessage } from "~/components/form";

const RevokeSchema = z.object({ grantId: z.string({ error: "Choose what to revoke." }).min(1).max(100) });

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUser(request);
  const authorizations = await listUserAuthorizations(getDb(), user.id);
  return {
    authorizations: authorizations.map((a) => ({
      ...a,
      scopes: describeScopes(a.scopes),
      firstUsedAt: a.firstUsedAt.toISOString(),
      lastUsedAt: a.lastUsedAt.toISOString(),
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireUser(request);
  const form = await readForm(request, RevokeSchema);
  if (!form.ok) return formFailure(form);
  // Scoped by person: another person's grant id matches nothing.
  const revoked = await revokeUserAuthorization(getDb(), user.id, form.data.grantId);
  if (!revoked) return formFailure({ formError: "That app or device was already signed out." }, 404);
  return { ok: true as const };
}

export const meta: MetaFunction = () => [{ title: "Apps and devices" }];

const formatTime = (iso: string) => new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC";

export default function SettingsApps() {
  const { authorizations } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="stack wide">
      <h1>Apps and devices</h1>
      <p>Apps and devices you signed in to with this account. Revoke one and it is signed out at once: it can no longer refresh its access.</p>
      {result?.ok ? <FormMessage tone="success">Revoked. That app or device is signed out.</FormMessage> : null}
      {result && !result.ok ? <FormMessage tone="error">{result.formError}</FormMessage> : null}
      {authorizations.length === 0 ? <p>No app or device is signed in as you.</p> : null}
      {authorizations.length > 0 ? (
        <table>
          <caption className="visually-hidden">Apps and devices signed in as you</caption>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Device</th>
              <th scope="col">Can</th>
              <th scope="col">First used</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {authorizations.map((a) => (
              <tr key={a.grantId}>
                <td>{a.appName}</td>
                <td>{a.device ? [a.device.hostname, a.device.os, a.device.cliVersion && `version ${a.device.cliVersion}`, a.device.ip && `from ${a.device.ip}`].filter(Boolean).join(", ") || "a device" : "browser sign-in"}</td>
                <td>{a.scopes.join("; ")}</td>
                <td>{formatTime(a.firstUsedAt)}</td>
                <td>{formatTime(a.lastUsedAt)}</td>
                <td>
                  <Form method="post">
                    <input type="hidden" name="grantId" value={a.grantId} />
                    <button type="submit" className="link-button" aria-label={`Revoke ${a.appName}${a.device?.hostname ? ` on ${a.device.hostname}` : ""}`}>
                      Revoke
                    </button>
                  </Form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
