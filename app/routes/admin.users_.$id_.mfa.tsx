// /admin/users/:id/mfa: whether a person has two-factor on (never the
// secrets), and the operator's reset for someone locked out. The reset is
// audited in their orgs and mailed to them.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getMfaSummary, resetMfa } from "~/.server/accounts/mfa/factors";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Page } from "~/components/page";
import { Checkbox } from "~/components/select-field";

const ResetSchema = z.object({ intent: z.literal("reset-mfa"), confirm: z.literal("on", { error: "Tick the box to confirm you checked who asked." }) });

async function findUser(id: string | undefined) {
  if (!id || !z.uuid().safeParse(id).success) throw new Response("Not Found", { status: 404 });
  const user = await getDb().selectFrom("user").select(["id", "email", "name"]).where("id", "=", id).executeTakeFirst();
  if (!user) throw new Response("Not Found", { status: 404 });
  return user;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireOperator(request);
  const user = await findUser(params.id);
  const summary = await getMfaSummary(getDb(), user.id);
  return { user, summary: { enabled: summary.enabled, totpEnabledAt: summary.totp?.enabledAt.toISOString() ?? null, passkeys: summary.passkeys, recoveryCodesLeft: summary.recoveryCodesLeft } };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const operator = await requireOperator(request);
  const user = await findUser(params.id);
  const form = await readForm(request, ResetSchema);
  if (!form.ok) return formFailure(form);
  if (user.id === operator.user.id) return formFailure({ formError: "Change your own two-factor settings from Settings → Security." }, 400);
  const result = await resetMfa(getDb(), { userId: user.id, operator: { id: operator.user.id, email: operator.user.email }, ip: context.clientIp });
  if (!result.ok) return formFailure({ formError: "Two-factor authentication is already off for this person." }, 409);
  return { ok: true as const };
}

export const meta: MetaFunction = () => [{ title: "Two-factor authentication — user" }];

export default function AdminUserMfa() {
  const { user, summary } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  return (
    <Page title={`Two-factor authentication: ${user.email}`} actions={<Link to="/admin/users">All users</Link>}>
      {result?.ok ? <Alert tone="success">Two-factor authentication was reset. They were told by email and can sign in with their password.</Alert> : null}
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      <Card>
        <dl className="facts">
          <dt>Two-factor authentication</dt>
          <dd>{summary.enabled ? "On" : "Off"}</dd>
          <dt>Authenticator app</dt>
          <dd>{summary.totpEnabledAt ? `Since ${summary.totpEnabledAt.slice(0, 10)}` : "None"}</dd>
          <dt>Passkeys</dt>
          <dd>{summary.passkeys}</dd>
          <dt>Recovery codes left</dt>
          <dd>{summary.recoveryCodesLeft}</dd>
        </dl>
      </Card>
      {summary.enabled ? (
        <Card title="Reset two-factor authentication" tone="danger" description="Reset only for someone who lost every factor, after you have made sure, outside this site, that it is really them.">
          <Form method="post" className="form" noValidate>
            <input type="hidden" name="intent" value="reset-mfa" />
            <Checkbox label="I checked who is asking" name="confirm" error={failure?.fieldErrors.confirm} />
            <div className="form-actions">
              <Button variant="danger">Reset two-factor authentication</Button>
            </div>
          </Form>
        </Card>
      ) : null}
    </Page>
  );
}
