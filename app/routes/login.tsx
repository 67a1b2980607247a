import { redirect, redirectDocument, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { logIn } from "~/.server/accounts/login";
import { secondFactorPath, signedInDestination } from "~/.server/accounts/mfa/destination";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { tooManyRequests, unlessBusy } from "~/.server/http/responses";
import { sessionCookie } from "~/.server/session-cookie";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { PasskeyButton } from "~/components/passkey-button";
import { normalizeEmail } from "~/utils/email-address";
import { safeRedirect } from "~/utils/safe-redirect";
import { passThroughHeaders } from "~/utils/headers";

const LoginSchema = z.object({
  email: z.string({ error: "Enter your email address." }).trim().min(1, "Enter your email address.").max(320),
  password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024),
  redirectTo: z.string().max(2000).optional(),
});

const INVALID = "The email address or password is not right.";

// Back to an app's sign-in (/interaction/:uid) with a full page load: its
// cookie is scoped to that path, which Remix's data requests (".data" URLs) are not on.
const backTo = (destination: string, init?: ResponseInit) => (destination.startsWith("/interaction/") ? redirectDocument(destination, init) : redirect(destination, init));

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getSession(request);
  if (session) throw backTo(safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "/home"));
  return null;
}

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, LoginSchema);
  if (!form.ok) return formFailure(form);
  // An address that cannot exist is just a failed login, checked the same slow way.
  const normalized = normalizeEmail(form.data.email);
  const email = normalized.ok ? normalized.email : form.data.email.toLowerCase();

  return unlessBusy(async () => {
    const result = await logIn(getDb(), email, form.data.password, { ip: context.clientIp, userAgent: request.headers.get("user-agent") });
    if (!result.ok && result.reason === "throttled") return tooManyRequests(result.retryAfterSeconds, "Too many login attempts. Please wait a few minutes and try again.");
    if (!result.ok && result.reason === "policy") return formFailure({ fieldErrors: {}, formError: result.message, values: form.values }, 403);
    if (!result.ok) return formFailure({ fieldErrors: {}, formError: INVALID, values: form.values }, 401);
    if (result.secondFactorRequired) throw redirect(secondFactorPath(form.data.redirectTo), { headers: { "Set-Cookie": sessionCookie(result.token) } });
    // During a deletion's grace period the only thing on offer is cancelling it.
    const destination = signedInDestination(result, form.data.redirectTo);
    throw backTo(destination, { headers: { "Set-Cookie": sessionCookie(result.token) } });
  });
}

export const meta: MetaFunction = () => [{ title: "Log in" }];

export default function Login() {
  const failure = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const notice = searchParams.get("notice");
  return (
    <Page width="narrow" title="Log in">
      {notice === "password-reset" ? <Alert tone="success">Your password was changed. Log in with the new one.</Alert> : null}
      {notice === "joined-sign-in-with-sso" ? <Alert tone="success">Your account is ready. Your organization requires single sign-on: sign in through it.</Alert> : null}
      {notice === "no-sso" ? <Alert tone="info">Single sign-on is not set up for that address. Log in with your password.</Alert> : null}
      {notice === "verified" ? <Alert tone="success">Your email address is confirmed. Log in to continue.</Alert> : null}
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      <Card
        footer={
          <p className="small">
            <Link to="/forgot-password">Forgot your password?</Link> · <Link to="/signup">Create an account</Link>
          </p>
        }
      >
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
          <Field label="Email" name="email" type="email" autoComplete="username webauthn" required defaultValue={failure?.values.email ?? searchParams.get("email") ?? undefined} error={failure?.fieldErrors.email} />
          <Field label="Password" name="password" type="password" autoComplete="current-password" required error={failure?.fieldErrors.password} />
          <Button block>Log in</Button>
        </Form>
        <PasskeyButton purpose="sign-in" action="/login/passkey" fields={{ redirectTo: searchParams.get("redirectTo") ?? "" }} autofill>
          Sign in with a passkey
        </PasskeyButton>
        <p>
          <Link to={searchParams.get("redirectTo") ? `/sso?redirectTo=${encodeURIComponent(searchParams.get("redirectTo")!)}` : "/sso"}>Sign in with SSO</Link>
        </p>
      </Card>
    </Page>
  );
}
