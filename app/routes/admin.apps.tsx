import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { CONFIRM_FIRST } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { APP_GRANTS, APP_SCOPES } from "~/utils/oauth-app-options";
import { AppInputSchema } from "~/utils/oauth-app-schema";
import { createApp, deleteApp, listApps } from "~/.server/identity/apps";
import { Alert } from "~/components/alert";
import { Badge } from "~/components/badge";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { ConfirmAction } from "~/components/confirm-action";
import { CopyButton } from "~/components/copy-button";
import { EmptyState } from "~/components/empty-state";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { Checkbox, Fieldset } from "~/components/select-field";
import { ActionsHeader, Table } from "~/components/table";
import { passThroughHeaders } from "~/utils/headers";

const lines = (value: string | undefined) =>
  (value ?? "")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

const AppFormSchema = z.object({
  intent: z.enum(["create", "delete"], { error: "Unknown action." }),
  clientId: z.string().max(100).optional(),
  name: z.string().max(200).optional(),
  type: z.string().max(20).optional(),
  redirectUris: z.string().max(10_000).optional(),
  resources: z.string().max(10_000).optional(),
  // Each checkbox group also sends one empty value (a hidden input), so the
  // field is there even with every box unticked.
  grants: z.array(z.string().max(40)).max(10),
  scopes: z.array(z.string().max(40)).max(10),
  trusted: z.literal("on").optional(),
  confirm: z.string().max(10).optional(),
});

const GRANT_LABELS: Record<(typeof APP_GRANTS)[number], string> = {
  authorization_code: "Authorization code with PKCE (sign-in in a browser)",
  refresh_token: "Refresh tokens (stay signed in; needs the offline_access scope)",
  device_code: "Device code (a CLI or TV signs in through /device)",
  client_credentials: "Client credentials (a server acting as itself)",
};

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  const apps = await listApps(getDb());
  return {
    issuer: getEnv().PUBLIC_URL.origin,
    apps: apps.map((app) => ({ ...app, createdAt: app.createdAt.toISOString() })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  await requireOperator(request);
  const form = await readForm(request, AppFormSchema);
  if (!form.ok) return formFailure(form);
  const db = getDb();
  if (form.data.intent === "delete") {
    // Deleting an app signs out everyone using it: only from the confirmation step.
    if (form.data.confirm !== "yes") return formFailure({ formError: CONFIRM_FIRST });
    const deleted = await deleteApp(db, form.data.clientId ?? "");
    if (!deleted) return formFailure({ formError: "That app no longer exists." }, 404);
    return data({ ok: true as const, deleted: form.data.clientId ?? "", created: null });
  }
  const parsed = AppInputSchema.safeParse({
    name: form.data.name ?? "",
    type: form.data.type,
    redirectUris: lines(form.data.redirectUris),
    resources: lines(form.data.resources),
    grants: form.data.grants.filter(Boolean),
    scopes: form.data.scopes.filter(Boolean),
    trusted: form.data.trusted === "on",
  });
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0])] ??= issue.message;
    return formFailure({ fieldErrors, values: form.values });
  }
  const created = await createApp(db, parsed.data);
  // The secret is shown in this one answer and never again (only its hash is kept).
  return data({ ok: true as const, deleted: null, created: { ...created, name: parsed.data.name } }, { headers: { "Cache-Control": "no-store" } });
}

// The answer that shows a new secret must not be stored by any cache.
export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "Apps" }];

export default function AdminApps() {
  const { apps, issuer } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  const created = result?.ok ? result.created : null;
  const values = failure?.values ?? {};
  return (
    <Page
      width="wide"
      title="Apps"
      description={
        <>
          Apps that sign people in with {issuer} (OpenID Connect). Give the app its client id, its secret (web and service apps) and the issuer URL; it finds
          everything else at <code>{issuer}/.well-known/openid-configuration</code>. See docs/oidc.md.
        </>
      }
    >
      {created ? (
        <>
          <Alert tone="success">{`${created.name} is registered.`}</Alert>
          <Card title={`${created.name}: its credentials`} description={created.clientSecret ? "The secret is shown this once: copy it now." : undefined}>
            <CopyButton label="Client id" value={created.clientId} />
            {created.clientSecret ? (
              <CopyButton label="Client secret" value={created.clientSecret} />
            ) : (
              <p>It is a public client (no secret): it must use PKCE, which every sign-in here requires.</p>
            )}
          </Card>
        </>
      ) : null}
      {result?.ok && result.deleted ? <Alert tone="success">The app was deleted, and every token issued to it revoked.</Alert> : null}
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}

      {apps.length === 0 ? (
        <EmptyState title="No apps yet">
          <p>Register an app below and it can sign people in with this service.</p>
        </EmptyState>
      ) : (
        <Table caption="Registered apps" stack>
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">Client id</th>
              <th scope="col">Type</th>
              <th scope="col">Grants</th>
              <th scope="col">Redirect URIs</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {apps.map((app) => (
              <tr key={app.clientId}>
                <td data-label="App">
                  {app.name} {app.trusted ? <Badge tone="info">Trusted</Badge> : null}
                </td>
                <td data-label="Client id">
                  <code>{app.clientId}</code>
                </td>
                <td data-label="Type">{app.type === "native" ? "native (public)" : app.type}</td>
                <td data-label="Grants">{app.grants.join(", ")}</td>
                <td data-label="Redirect URIs">{app.redirectUris.join(" ")}</td>
                <td className="table__actions">
                  <ConfirmAction
                    id={`delete-${app.clientId}`}
                    fields={{ intent: "delete", clientId: app.clientId, grants: "", scopes: "" }}
                    label="Delete"
                    context={app.name}
                    title={`Delete the app “${app.name}”?`}
                    description="Everyone signed in to it is signed out, and its client id and secret stop working. This cannot be undone; you can register it again."
                    confirmLabel="Delete app"
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}

      <Card title="Register an app">
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="create" />
          <Field label="Name (shown to people on the consent and device pages)" name="name" required defaultValue={values.name} error={failure?.fieldErrors.name} />
          <Fieldset legend="Type" name="type" error={failure?.fieldErrors.type}>
            {[
              ["web", "Web app (a server keeps the client secret)"],
              ["native", "Native app or CLI (public client, no secret)"],
              ["service", "Service (a server acting as itself, no person)"],
            ].map(([value, label]) => (
              <div className="checkbox" key={value}>
                <input id={`field-type-${value}`} type="radio" name="type" value={value} defaultChecked={(values.type ?? "web") === value} />
                <label htmlFor={`field-type-${value}`}>{label}</label>
              </div>
            ))}
          </Fieldset>
          <Field
            multiline
            rows={3}
            name="redirectUris"
            label="Redirect URIs (one per line)"
            hint="https URLs; http only on localhost or 127.0.0.1; native apps may use com.example.app:/callback."
            defaultValue={values.redirectUris}
            error={failure?.fieldErrors.redirectUris}
          />
          <Fieldset legend="Grants" name="grants" sendsEmpty error={failure?.fieldErrors.grants}>
            {APP_GRANTS.map((grant) => (
              <Checkbox key={grant} id={`field-grant-${grant}`} name="grants" value={grant} label={GRANT_LABELS[grant]} defaultChecked={grant === "authorization_code" || grant === "refresh_token"} />
            ))}
          </Fieldset>
          <Fieldset legend="Scopes it may ask for" name="scopes" sendsEmpty>
            {APP_SCOPES.map((scope) => (
              <Checkbox key={scope} id={`field-scope-${scope}`} name="scopes" value={scope} label={scope} defaultChecked />
            ))}
          </Fieldset>
          <Field
            multiline
            rows={3}
            name="resources"
            label="APIs it may get access tokens for (resource indicators, one per line; optional)"
            hint="e.g. https://api.example.com. Access tokens for them are JWTs with that audience."
            defaultValue={values.resources}
            error={failure?.fieldErrors.resources}
          />
          <Checkbox id="field-trusted" name="trusted" label="Trusted first-party app: people are not asked for consent" />
          <div className="form-actions">
            <Button>Register app</Button>
          </div>
        </Form>
      </Card>
    </Page>
  );
}
