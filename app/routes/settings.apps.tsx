import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { confirmedField } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { listUserAuthorizations, revokeUserAuthorization } from "~/.server/identity/grants";
import { describeScopes } from "~/.server/identity/scopes";
import { Alert } from "~/components/alert";
import { ConfirmAction } from "~/components/confirm-action";
import { EmptyState } from "~/components/empty-state";
import { Page } from "~/components/page";
import { ActionsHeader, Table } from "~/components/table";

const RevokeSchema = z.object({ grantId: z.string({ error: "Choose what to revoke." }).min(1).max(100), confirm: confirmedField });

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
    <Page
      width="wide"
      title="Apps and devices"
      description="Apps and devices you signed in to with this account. Revoke one and it is signed out at once: it can no longer refresh its access."
    >
      {result?.ok ? <Alert tone="success">Revoked. That app or device is signed out.</Alert> : null}
      {result && !result.ok ? <Alert tone="danger">{result.formError ?? result.fieldErrors.confirm ?? result.fieldErrors.grantId}</Alert> : null}
      {authorizations.length === 0 ? (
        <EmptyState title="No apps or devices">
          <p>No app or device is signed in as you. When you sign in to an app or a command line tool with this account, it shows here.</p>
        </EmptyState>
      ) : null}
      {authorizations.length > 0 ? (
        <Table caption="Apps and devices signed in as you" stack>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Device</th>
              <th scope="col">Can</th>
              <th scope="col">First used</th>
              <th scope="col">Last used</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {authorizations.map((a) => (
              <tr key={a.grantId}>
                <td data-label="App">{a.appName}</td>
                <td data-label="Device">
                  {a.device ? [a.device.hostname, a.device.os, a.device.cliVersion && `version ${a.device.cliVersion}`, a.device.ip && `from ${a.device.ip}`].filter(Boolean).join(", ") || "a device" : "browser sign-in"}
                </td>
                <td data-label="Can">{a.scopes.join("; ")}</td>
                <td data-label="First used">{formatTime(a.firstUsedAt)}</td>
                <td data-label="Last used">{formatTime(a.lastUsedAt)}</td>
                <td className="table__actions">
                  <ConfirmAction
                    id={`revoke-${a.grantId}`}
                    fields={{ grantId: a.grantId }}
                    label="Revoke"
                    context={`${a.appName}${a.device?.hostname ? ` on ${a.device.hostname}` : ""}`}
                    title={`Sign ${a.appName} out?`}
                    description="It can no longer use or refresh its access to your account. Signing in to it again brings it back."
                    confirmLabel="Revoke access"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      ) : null}
    </Page>
  );
}
