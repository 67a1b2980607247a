import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { changePassword, confirmEmailChange, requestEmailChange, updateName } from "~/.server/accounts/profile";
import { pendingVerificationEmail, type VerifyResult } from "~/.server/accounts/verification";
import { requireRecentAuth } from "~/.server/accounts/mfa/step-up";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, newPassword, optionalText, readForm } from "~/.server/forms";
import { tooManyRequests, unlessBusy } from "~/.server/http/responses";
import { checkPasswordPolicy } from "~/.server/password";
import { Card } from "~/components/card";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Field } from "~/components/field";
import { Checkbox } from "~/components/select-field";
import { Page } from "~/components/page";
import { EmailSchema } from "~/utils/email-address";
import { passThroughHeaders } from "~/utils/headers";

// One schema per form on the page: each accepts exactly its own fields.
const NameSchema = z.object({ intent: z.literal("name"), name: optionalText("Name", { max: 100 }) });
const PasswordSchema = z.object({
  intent: z.literal("password"),
  currentPassword: z.string().min(1, "Enter your current password."),
  newPassword: newPassword("Choose a new password."),
  endOtherSessions: z.literal("on").optional(),
});
const EmailSchemaForm = z.object({ intent: z.literal("email"), newEmail: EmailSchema, password: z.string().min(1, "Enter your password to confirm.") });
const EmailCodeSchema = z.object({ intent: z.literal("email-code"), code: z.string().trim().regex(/^\d{8}$/, "Enter the 8-digit code from the email.") });

const CODE_FAILURES: Record<Exclude<VerifyResult, { ok: true }>["reason"], string> = {
  "wrong-code": "That code is not right.",
  expired: "That code has expired. Ask for the change again.",
  "too-many-attempts": "Too many wrong codes. Ask for the change again.",
  taken: "That email address belongs to another account.",
  "invalid-link": "That code is not right.",
};

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUser(request);
  return { user: { name: user.name, email: user.email }, pendingEmail: await pendingVerificationEmail(getDb(), user.id, "email-change") };
}

export const headers = passThroughHeaders;

const PASSWORD_THROTTLED = "Too many password attempts. Please wait a few minutes and try again.";

export async function action({ request, context }: ActionFunctionArgs) {
  const intent = new URL(request.url).searchParams.get("intent");
  // Changing the password or the address needs a recent sign-in proof (step-up), as well as the password typed here.
  const session = intent === "password" || intent === "email" ? await requireRecentAuth(request) : await requireUser(request);
  const db = getDb();

  if (intent === "name") {
    const form = await readForm(request, NameSchema);
    if (!form.ok) return formFailure(form);
    await updateName(db, session.user.id, form.data.name);
    return { ok: true as const, done: "name" as const };
  }
  if (intent === "password") {
    const form = await readForm(request, PasswordSchema);
    if (!form.ok) return formFailure(form);
    const problem = checkPasswordPolicy(form.data.newPassword, session.user);
    if (problem) return formFailure({ fieldErrors: { newPassword: problem } });
    return unlessBusy(async () => {
      const result = await changePassword(db, {
        userId: session.user.id,
        sessionId: session.id,
        currentPassword: form.data.currentPassword,
        newPassword: form.data.newPassword,
        endOtherSessions: form.data.endOtherSessions === "on",
        ip: context.clientIp,
      });
      if (!result.ok && result.reason === "throttled") return tooManyRequests(result.retryAfterSeconds, PASSWORD_THROTTLED);
      if (!result.ok) return formFailure({ fieldErrors: { currentPassword: "That is not your current password." } });
      return { ok: true as const, done: "password" as const, endedSessions: result.endedSessions };
    });
  }
  if (intent === "email") {
    const form = await readForm(request, EmailSchemaForm);
    if (!form.ok) return formFailure(form);
    return unlessBusy(async () => {
      const result = await requestEmailChange(db, { userId: session.user.id, password: form.data.password, newEmail: form.data.newEmail, ip: context.clientIp });
      if (!result.ok && result.reason === "throttled") return tooManyRequests(result.retryAfterSeconds, PASSWORD_THROTTLED);
      if (!result.ok && result.reason === "too-many-requests") {
        return tooManyRequests(result.retryAfterSeconds, "You asked for several codes already. Please wait a while before asking again.");
      }
      if (!result.ok && result.reason === "wrong-password") return formFailure({ fieldErrors: { password: "That is not your password." }, values: form.values });
      if (!result.ok) return formFailure({ fieldErrors: { newEmail: "That is already your email address." }, values: form.values });
      return { ok: true as const, done: "email-requested" as const };
    });
  }
  if (intent === "email-code") {
    const form = await readForm(request, EmailCodeSchema);
    if (!form.ok) return formFailure(form);
    const result = await confirmEmailChange(db, session.user.id, form.data.code);
    if (!result.ok && result.reason === "throttled") return tooManyRequests(result.retryAfterSeconds, "Too many wrong codes. Please wait a while and try again.");
    if (!result.ok) return formFailure({ fieldErrors: { code: CODE_FAILURES[result.reason] } });
    return { ok: true as const, done: "email-changed" as const };
  }
  return formFailure({ formError: "Unknown action." });
}

export const meta: MetaFunction = () => [{ title: "Settings" }];

export default function Settings() {
  const { user, pendingEmail } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const failure = result && !result.ok ? result : undefined;
  const done = result?.ok ? result.done : searchParams.get("notice") === "email-changed" ? "email-changed" : null;
  // Field errors belong to the form that was sent; the intent is in its action URL.
  const errorsFor = (intent: string) => (failure && searchParams.get("intent") === intent ? failure : undefined);

  // Security, sessions, apps, data and deletion are in the Settings sidebar (app/components/section-frame.tsx).
  return (
    <Page title="Settings" description="Your name, email address and password.">
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}

      <Card title="Profile">
        {done === "name" ? <Alert tone="success">Your name was saved.</Alert> : null}
        <Form method="post" action="?intent=name" className="form" noValidate>
          <input type="hidden" name="intent" value="name" />
          <Field label="Name" name="name" autoComplete="name" defaultValue={errorsFor("name")?.values.name ?? user.name ?? ""} error={errorsFor("name")?.fieldErrors.name} />
          <div className="form-actions">
            <Button>Save name</Button>
          </div>
        </Form>
      </Card>

      <Card title="Email address">
        <p>
          Your account uses <strong>{user.email}</strong>.
        </p>
        {done === "email-changed" ? <Alert tone="success">Your email address was changed.</Alert> : null}
        {pendingEmail ? (
          <>
            {done === "email-requested" ? <Alert tone="success">We sent a code to {pendingEmail}.</Alert> : null}
            <Form method="post" action="?intent=email-code" className="form" noValidate>
              <input type="hidden" name="intent" value="email-code" />
              <Field
                label={`Code sent to ${pendingEmail}`}
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                required
                error={errorsFor("email-code")?.fieldErrors.code}
              />
              <div className="form-actions">
                <Button>Confirm new address</Button>
              </div>
            </Form>
          </>
        ) : null}
        <Form method="post" action="?intent=email" className="form" noValidate>
          <input type="hidden" name="intent" value="email" />
          <Field label="New email address" name="newEmail" type="email" autoComplete="email" required defaultValue={errorsFor("email")?.values.newEmail} error={errorsFor("email")?.fieldErrors.newEmail} />
          <Field label="Your password" name="password" type="password" autoComplete="current-password" required error={errorsFor("email")?.fieldErrors.password} />
          <div className="form-actions">
            <Button variant="secondary">Send a code to the new address</Button>
          </div>
        </Form>
      </Card>

      <Card title="Password">
        {done === "password" && result?.ok && "endedSessions" in result ? (
          <Alert tone="success">Your password was changed{result.endedSessions ? ` and ${result.endedSessions} other session(s) were ended` : ""}.</Alert>
        ) : null}
        <Form method="post" action="?intent=password" className="form" noValidate>
          <input type="hidden" name="intent" value="password" />
          <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" required error={errorsFor("password")?.fieldErrors.currentPassword} />
          <Field label="New password" name="newPassword" type="password" autoComplete="new-password" required hint="At least 8 characters." error={errorsFor("password")?.fieldErrors.newPassword} />
          <Checkbox label="Sign out my other sessions" name="endOtherSessions" defaultChecked />
          <div className="form-actions">
            <Button>Change password</Button>
          </div>
        </Form>
      </Card>
    </Page>
  );
}
