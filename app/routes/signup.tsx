import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { findValidInvitation } from "~/.server/accounts/signup-invitations";
import { signUp } from "~/.server/accounts/signup";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { formFailure, newPassword, optionalText, readForm } from "~/.server/forms";
import { tooManyRequests, unlessBusy } from "~/.server/http/responses";
import { checkPasswordPolicy } from "~/.server/password";
import { consumeRateLimit } from "~/.server/rate-limit";
import { createSession } from "~/.server/session";
import { sessionCookie } from "~/.server/session-cookie";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { EmailSchema } from "~/utils/email-address";
import { passThroughHeaders } from "~/utils/headers";

const SignupSchema = z.object({
  email: EmailSchema,
  password: newPassword("Choose a password."),
  name: optionalText("Name", { max: 100 }),
  invitation: z.string().max(100).optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  // Not for a session still confirming its address: signing up starts one, and
  // the "check your email" page must stay put when it revalidates.
  if ((await getSession(request))?.user.emailVerified) throw redirect("/home");
  const token = new URL(request.url).searchParams.get("invitation");
  const invitation = token ? await findValidInvitation(getDb(), token) : null;
  return {
    mode: getEnv().SIGNUP_MODE,
    invitation: invitation ? { token: token!, email: invitation.email } : null,
    invitationInvalid: Boolean(token && !invitation),
  };
}

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, SignupSchema);
  if (!form.ok) return formFailure(form);
  const { email, password, name, invitation } = form.data;
  const passwordProblem = checkPasswordPolicy(password, { email, name });
  if (passwordProblem) return formFailure({ fieldErrors: { password: passwordProblem }, values: form.values });

  const db = getDb();
  const allowance = await consumeRateLimit(db, `signup:ip:${context.clientIp}`, { limit: 10, windowSeconds: 3600 });
  if (!allowance.allowed) return tooManyRequests(allowance.retryAfterSeconds);

  return unlessBusy(async () => {
    const client = { ip: context.clientIp, userAgent: request.headers.get("user-agent") };
    const result = await signUp(db, { email, password, name, invitationToken: invitation ?? null }, getEnv().SIGNUP_MODE, new Date(), client);
    if (result.ok && result.kind === "check-email") {
      // This browser goes on signed in once the link or code proves the address.
      return data({ ok: true as const, email }, { headers: { "Set-Cookie": sessionCookie(result.sessionToken!) } });
    }
    if (result.ok) {
      const { token } = await createSession(db, result.userId, { ip: context.clientIp, userAgent: request.headers.get("user-agent") });
      throw redirect("/settings", { headers: { "Set-Cookie": sessionCookie(token) } });
    }
    const failures = {
      "invitation-required": [403, "Signing up needs an invitation for now. Join the waitlist on the home page and we will send you one."],
      "invitation-invalid": [400, "This invitation link has expired or was already used."],
      "invitation-other-email": [400, "This invitation is for a different email address."],
      "already-registered": [409, "An account already exists for this address. Log in instead, or reset your password."],
    } as const;
    const [status, message] = failures[result.reason];
    return formFailure({ fieldErrors: {}, formError: message, values: form.values }, status);
  });
}

export const meta: MetaFunction = () => [{ title: "Create your account" }];

export default function Signup() {
  const { mode, invitation, invitationInvalid } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();

  if (result?.ok) {
    return (
      <Page width="narrow" title="Check your email">
        <Card>
          <p>
            We sent a message to <strong>{result.email}</strong>. Follow the link in it, or <Link to="/verify-email">enter the 8-digit code</Link>{" "}
            it contains.
          </p>
          <p className="muted">Nothing arrived after a few minutes? Check your spam folder, or ask for a new code on the same page.</p>
        </Card>
      </Page>
    );
  }

  const failure = result && !result.ok ? result : undefined;
  const closed = mode === "invite-only" && !invitation;
  return (
    <Page width="narrow" title="Create your account">
      {invitationInvalid ? <Alert tone="danger">This invitation link has expired or was already used.</Alert> : null}
      {closed ? (
        <Alert tone="info">
          <p>
            Signing up needs an invitation for now. <Link to="/#waitlist">Join the waitlist</Link> and we will send you one.
          </p>
        </Alert>
      ) : null}
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      <Card
        footer={
          <p className="small">
            Already have an account? <Link to="/login">Log in</Link>
          </p>
        }
      >
        <Form method="post" className="form" noValidate>
          {invitation ? <input type="hidden" name="invitation" value={invitation.token} /> : null}
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            required
            readOnly={Boolean(invitation)}
            defaultValue={invitation?.email ?? failure?.values.email}
            error={failure?.fieldErrors.email}
          />
          <Field label="Name (optional)" name="name" autoComplete="name" defaultValue={failure?.values.name} error={failure?.fieldErrors.name} />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            hint="At least 8 characters. Long passphrases are welcome."
            error={failure?.fieldErrors.password}
          />
          <Button block>Create account</Button>
        </Form>
      </Card>
    </Page>
  );
}
