import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireRecentAuth } from "~/.server/accounts/mfa/step-up";
import { getDb } from "~/.server/db";
import { formFailure, readForm, text } from "~/.server/forms";
import { requireOrgRole } from "~/.server/orgs/access";
import { createApiKey, listApiKeys, revokeApiKey } from "~/.server/orgs/api-keys";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { InlineAction } from "~/components/inline-action";
import { OrgNav } from "~/components/org-nav";

const CreateSchema = z.object({ intent: z.literal("create"), name: text("Name", { max: 100 }) });
const RevokeSchema = z.object({ intent: z.literal("revoke"), keyId: z.uuid("Unknown key.") });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const keys = await listApiKeys(getDb(), org.id);
  return {
    org: { slug: org.slug, name: org.name },
    keys: keys.map((k) => ({
      ...k,
      created_at: k.created_at.toISOString(),
      last_used_at: k.last_used_at?.toISOString() ?? null,
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
    const created = await createApiKey(getDb(), { orgId: access.org.id, name: form.data.name, actor: access.actor, ip: access.ip });
    // The only time the key exists in plain text: this one response.
    return { ok: true as const, created: { name: form.data.name, key: created.key } };
  }
  const form = await readForm(request, RevokeSchema);
  if (!form.ok) return formFailure(form);
  const result = await revokeApiKey(getDb(), { orgId: access.org.id, keyId: form.data.keyId, actor: access.actor, ip: access.ip });
  if (!result.ok) return formFailure({ formError: "That key does not exist or is already revoked." }, 404);
  return { ok: true as const, created: null };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `API keys — ${data?.org.name ?? ""}` }];

const day = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 16) : "never");

export default function ApiKeys() {
  const { org, keys } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  return (
    <div className="stack wide">
      <h1>{org.name}: API keys</h1>
      <OrgNav slug={org.slug} name={org.name} isAdmin />
      <p>
        Keys let your servers and the CLI call <code>/api/v1</code> for this organization with <code>Authorization: Bearer gk_…</code>.
      </p>
      {result?.ok && result.created ? (
        <div className="form-message success stack" role="status">
          <p>
            Your new key <strong>{result.created.name}</strong>. Copy it now: it is shown only once.
          </p>
          <p className="secret">{result.created.key}</p>
        </div>
      ) : null}
      {result?.ok && !result.created ? <FormMessage tone="success">The key was revoked. Requests with it now fail.</FormMessage> : null}
      {failure?.formError ? <FormMessage tone="error">{failure.formError}</FormMessage> : null}
      <Form method="post" action="?intent=create" className="stack" noValidate>
        <input type="hidden" name="intent" value="create" />
        <Field label="Key name" name="name" required hint="What it is for, e.g. “CI deploys”." defaultValue={failure?.values.name} error={failure?.fieldErrors.name} />
        <SubmitButton>Create key</SubmitButton>
      </Form>
      {keys.length > 0 ? (
        <table>
          <caption className="visually-hidden">API keys</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Created by</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>{key.creator ?? "a former member"}</td>
                <td>{day(key.created_at)}</td>
                <td>{day(key.last_used_at)}</td>
                <td>
                  {key.revoked_at ? (
                    `revoked ${day(key.revoked_at)}`
                  ) : (
                    <InlineAction action="?intent=revoke" fields={{ intent: "revoke", keyId: key.id }} label="Revoke" context={key.name} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
