import { type ActionFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { z } from "zod";
import { requestPasswordReset } from "~/.server/accounts/password-reset";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { tooManyRequests } from "~/.server/http/responses";
import { consumeRateLimit } from "~/.server/rate-limit";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { EmailSchema } from "~/utils/email-address";
import { passThroughHeaders } from "~/utils/headers";

const ForgotSchema = z.object({ email: EmailSchema });

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, ForgotSchema);
  if (!form.ok) return formFailure(form);
  const db = getDb();
  const allowance = await consumeRateLimit(db, `forgot:ip:${context.clientIp}`, { limit: 10, windowSeconds: 3600 });
  if (!allowance.allowed) return tooManyRequests(allowance.retryAfterSeconds);
  await requestPasswordReset(db, form.data.email, new Date(), context.clientIp);
  // The same answer whether or not the address has an account.
  return { ok: true as const, email: form.data.email };
}

export const meta: MetaFunction = () => [{ title: "Reset your password" }];

export default function ForgotPassword() {
  const result = useActionData<typeof action>();
  if (result?.ok) {
    return (
      <Page width="narrow" title="Check your email">
        <Card
          footer={
            <p className="small">
              <Link to="/login">Back to log in</Link>
            </p>
          }
        >
          <p>
            If <strong>{result.email}</strong> has an account, we sent it a link to choose a new password. The link works for 30 minutes.
          </p>
        </Card>
      </Page>
    );
  }
  const failure = result && !result.ok ? result : undefined;
  return (
    <Page width="narrow" title="Reset your password" description="Enter the email address of your account and we will send you a link to choose a new password.">
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      <Card>
        <Form method="post" className="form" noValidate>
          <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={failure?.values.email} error={failure?.fieldErrors.email} />
          <Button block>Send the link</Button>
        </Form>
      </Card>
    </Page>
  );
}
