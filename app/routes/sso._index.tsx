// /sso: "Sign in with SSO". The person gives their email address; if its
// domain is a verified domain with a switched-on connection, they go to that
// IdP, otherwise back to the password form with the address filled in. The
// answer depends on the domain only, never on whether an account exists, so
// the page tells nobody who has an account here.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { getLogger } from "~/.server/logger";
import { ssoConnectionForEmail } from "~/.server/sso/domains";
import { startSsoSignIn } from "~/.server/sso/start";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { normalizeEmail } from "~/utils/email-address";
import { safeRedirect } from "~/utils/safe-redirect";

const SsoSchema = z.object({
  email: z.string({ error: "Enter your work email address." }).trim().min(1, "Enter your work email address.").max(320),
  redirectTo: z.string().max(2000).optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  if (await getSession(request)) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "/home"));
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, SsoSchema);
  if (!form.ok) return formFailure(form);
  const normalized = normalizeEmail(form.data.email);
  if (!normalized.ok) return formFailure({ fieldErrors: { email: normalized.message }, values: form.values });
  // Only a path of ours comes back from the IdP: another site is refused here, before anyone leaves.
  const redirectTo = safeRedirect(form.data.redirectTo, "");
  if (form.data.redirectTo && !redirectTo) {
    getLogger().warn({ ip: context.clientIp }, "sso: a return address to another site was refused");
    return formFailure({ formError: "That return address is not on this site, so single sign-on will not send you there. Start again from the log-in page.", values: form.values }, 400);
  }
  const connection = await ssoConnectionForEmail(getDb(), normalized.email);
  if (!connection) {
    const query = new URLSearchParams({ email: normalized.email, notice: "no-sso", ...(redirectTo ? { redirectTo } : {}) });
    throw redirect(`/login?${query}`, 303);
  }
  const started = await startSsoSignIn(getDb(), connection, { purpose: "sign-in", returnTo: redirectTo || null, loginHint: normalized.email });
  if (!started.ok) return formFailure({ formError: started.message, values: form.values }, 502);
  throw started.response;
}

export const meta: MetaFunction = () => [{ title: "Sign in with SSO" }];

export default function SignInWithSso() {
  const failure = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  return (
    <Page width="narrow" title="Sign in with SSO" description="Enter your work email address. If your organization signs in through its identity provider, we take you there.">
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      <Card
        footer={
          <p className="small">
            <Link to={searchParams.get("redirectTo") ? `/login?redirectTo=${encodeURIComponent(searchParams.get("redirectTo")!)}` : "/login"}>Log in with a password instead</Link>
          </p>
        }
      >
        {/* A full page post: the answer is a redirect to another site. */}
        <Form method="post" className="form" noValidate reloadDocument>
          <input type="hidden" name="redirectTo" value={searchParams.get("redirectTo") ?? ""} />
          <Field label="Work email" name="email" type="email" autoComplete="username" required defaultValue={failure?.values.email} error={failure?.fieldErrors.email} />
          <Button block>Continue</Button>
        </Form>
      </Card>
    </Page>
  );
}
