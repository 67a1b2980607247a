import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireRecentAuth } from "~/.server/accounts/mfa/step-up";
import { getDb } from "~/.server/db";
import { confirmedField } from "~/.server/form-guards/confirmation";
import { formTokenField, newFormToken, oncePerRender } from "~/.server/form-guards/one-time-form";
import { formFailure, readForm, text } from "~/.server/forms";
import { requireOrgRole } from "~/.server/orgs/access";
import { createApiKey, listApiKeys, revokeApiKey } from "~/.server/orgs/api-keys";
import { Alert } from "~/components/alert";
import { StatusBadge } from "~/components/badge";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { ConfirmAction } from "~/components/confirm-action";
import { CopyButton } from "~/components/copy-button";
import { EmptyState } from "~/components/empty-state";
import { Field } from "~/components/field";
import { FormToken } from "~/components/form";
import { KeyIcon } from "~/components/icons";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { ActionsHeader, Table } from "~/components/table";

const CreateSchema = z.object({ intent: z.literal("create"), name: text("Name", { max: 100 }), formToken: formTokenField });
const RevokeSchema = z.object({ intent: z.literal("revoke"), keyId: z.uuid("Unknown key."), confirm: confirmedField });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const keys = await listApiKeys(getDb(), org.id);
  return {
    org: { slug: org.slug, name: org.name },
    formToken: newFormToken(),
    keys: keys.map((k) => ({
      ...k,
      created_at: k.created_at.toISOString(),
      last_used_at: k.last_used_at?.toISOString() ?? null,
      expires_at: k.expires_at?.toISOString() ?? null,
      revoked_at: k.revoked_at?.toISOString() ?? null,
    })),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireOrgRole(request, params.slug, "admin");
  const intent = new URL(request.url).searchParams.get("intent");
  if (intent === "create") {
    await requireRecentAuth(request);
    const form = await readForm(request, CreateSchema);
    if (!form.ok) return formFailure(form);
    const run = await oncePerRender(
      getDb(),
      { token: form.data.formToken, userId: access.session.user.id, purpose: "api-key" },
      () => createApiKey(getDb(), { orgId: access.org.id, name: form.data.name, actor: access.actor, ip: access.ip }),
      () => form.data.name,
    );
    // A second POST of the same form: the key exists already, and its secret was in the first answer only.
    if (run.repeated) return { ok: true as const, created: null, repeatedName: run.result ?? form.data.name, revoked: false };
    // The only time the key exists in plain text: this one response.
    return { ok: true as const, created: { name: form.data.name, key: run.value.key }, repeatedName: null, revoked: false };
  }
  const form = await readForm(request, RevokeSchema);
  if (!form.ok) return formFailure(form);
  const result = await revokeApiKey(getDb(), { orgId: access.org.id, keyId: form.data.keyId, actor: access.actor, ip: access.ip });
  if (!result.ok) return formFailure({ formError: "That key does not exist or is already revoked." }, 404);
  return { ok: true as const, created: null, repeatedName: null, revoked: true };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `API keys — ${data?.org.name ?? ""}` }];

export default function ApiKeys() {
  const { org, keys, formToken } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  const active = keys.filter((key) => !key.revoked_at);
  return (
    <Page
      width="wide"
      title="API keys"
      description={
        <>
          Keys let your servers and the CLI call <code>/api/v1</code> for {org.name} with <code>Authorization: Bearer gk_…</code>.
        </>
      }
    >
      {result?.ok && result.created ? (
        <Alert tone="success" title={`Key “${result.created.name}” created`}>
          <p>Copy it now: it is shown only once. Store it as a secret in your CI or server.</p>
          <CopyButton value={result.created.key} label={`API key ${result.created.name}`} />
        </Alert>
      ) : null}
      {result?.ok && result.repeatedName ? (
        <Alert tone="info" title="That form was already sent">
          The key “{result.repeatedName}” was created by it, once. Its secret was shown only in the first answer; if you did not copy it, revoke that key and create a new one.
        </Alert>
      ) : null}
      {result?.ok && result.revoked ? <Alert tone="success">The key was revoked. Requests with it now fail.</Alert> : null}
      {failure?.formError || failure?.fieldErrors.confirm || failure?.fieldErrors.formToken ? (
        <Alert tone="danger">{failure.formError ?? failure.fieldErrors.confirm ?? failure.fieldErrors.formToken}</Alert>
      ) : null}
      <Card title="Create a key" description="Name it after what will use it, so you know which one to revoke later.">
        {/* A new render (new token) after each success clears the form. */}
        <Form key={formToken} method="post" action="?intent=create" className="form" noValidate>
          <input type="hidden" name="intent" value="create" />
          <FormToken value={formToken} />
          <Field label="Key name" name="name" required hint="What it is for, e.g. “CI deploys”." defaultValue={failure?.values.name} error={failure?.fieldErrors.name} />
          <div className="form-actions">
            <Button pendingLabel="Creating…">Create key</Button>
          </div>
        </Form>
      </Card>
      {keys.length === 0 ? (
        <EmptyState title="No API keys yet" icon={<KeyIcon className="empty-state__icon" />}>
          A key lets a script or the CLI send audit events to {org.name}. Create one above when you need it.
        </EmptyState>
      ) : (
        <Table caption={`API keys (${active.length} active)`} stack>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Created by</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">Expires</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <td data-label="Name">
                  <strong>{key.name}</strong>
                </td>
                <td data-label="Key">
                  <code>{key.prefix}…</code>
                </td>
                <td data-label="Created by">{key.creator ?? "a former member"}</td>
                <td data-label="Created">
                  <RelativeTime iso={key.created_at} />
                </td>
                <td data-label="Last used">
                  <RelativeTime iso={key.last_used_at} fallback="Never" />
                </td>
                <td data-label="Expires">
                  <RelativeTime iso={key.expires_at} fallback="Never" />
                </td>
                <td className="table__actions">
                  {key.revoked_at ? (
                    <StatusBadge status="revoked">
                      Revoked <RelativeTime iso={key.revoked_at} />
                    </StatusBadge>
                  ) : (
                    <ConfirmAction
                      id={`revoke-${key.id}`}
                      action="?intent=revoke"
                      fields={{ intent: "revoke", keyId: key.id }}
                      label="Revoke"
                      context={key.name}
                      title={`Revoke the key “${key.name}”?`}
                      description="Every request that uses it will fail from now on. This cannot be undone; you can create a new key."
                      confirmLabel="Revoke key"
                    />
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
