import { data, redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { findResetTarget, resetPassword } from "~/.server/accounts/password-reset";
import { getDb } from "~/.server/db";
import { formFailure, newPassword, readForm } from "~/.server/forms";
import { unlessBusy } from "~/.server/http/responses";
import { checkPasswordPolicy } from "~/.server/password";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";

const ResetSchema = z.object({ password: newPassword("Choose a new password.") });

// The token is in this page's URL: never hand it to another site in a Referer.
export const headers: HeadersFunction = () => ({ "Referrer-Policy": "no-referrer", "Cache-Control": "no-store" });

export async function loader({ params }: LoaderFunctionArgs) {
  const target = await findResetTarget(getDb(), params.token ?? "");
  return data({ valid: target !== null }, { status: target ? 200 : 410, headers: { "Referrer-Policy": "no-referrer" } });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const form = await readForm(request, ResetSchema);
  if (!form.ok) return formFailure(form);
  const db = getDb();
  const target = await findResetTarget(db, params.token ?? "");
  if (!target) return formFailure({ fieldErrors: {}, formError: "This link has expired or was already used.", values: {} }, 410);
  const user = await db.selectFrom("user").select(["email", "name"]).where("id", "=", target.userId).executeTakeFirstOrThrow();
  const problem = checkPasswordPolicy(form.data.password, user);
  if (problem) return formFailure({ fieldErrors: { password: problem }, values: {} });

  return unlessBusy(async () => {
    const result = await resetPassword(db, params.token ?? "", form.data.password);
    if (!result.ok) return formFailure({ fieldErrors: {}, formError: "This link has expired or was already used.", values: {} }, 410);
    throw redirect("/login?notice=password-reset");
  });
}

export const meta: MetaFunction = () => [{ title: "Choose a new password" }, { name: "referrer", content: "no-referrer" }];

export default function ResetPassword() {
  const { valid } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  if (!valid) {
    return (
      <Page width="narrow" title="This link no longer works">
        <Card>
          <p>
            Reset links work once, for 30 minutes. <Link to="/forgot-password">Ask for a new one</Link>.
          </p>
        </Card>
      </Page>
    );
  }
  return (
    <Page width="narrow" title="Choose a new password" description="Saving it signs you out everywhere; you then log in with the new password.">
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      <Card>
        <Form method="post" className="form" noValidate>
          <Field label="New password" name="password" type="password" autoComplete="new-password" required hint="At least 8 characters." error={failure?.fieldErrors.password} />
          <Button block>Save the new password</Button>
        </Form>
      </Card>
    </Page>
  );
}
