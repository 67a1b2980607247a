import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { confirmSignupCode, pendingVerificationEmail, resendSignupCode, verifyLinkToken, type VerifyResult } from "~/.server/accounts/verification";
import { getSession, requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { tooManyRequests } from "~/.server/http/responses";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { passThroughHeaders } from "~/utils/headers";

const VerifySchema = z.object({
  intent: z.enum(["code", "link", "resend"], { error: "Unknown action." }),
  code: z.string().trim().max(20).optional(),
  token: z.string().max(100).optional(),
});

const FAILURES: Record<Exclude<VerifyResult, { ok: true }>["reason"], string> = {
  "wrong-code": "That code is not right. Check the latest email we sent and try again.",
  expired: "That code has expired. Send yourself a new one below.",
  "too-many-attempts": "Too many wrong codes. Send yourself a new one below.",
  taken: "That email address now belongs to another account.",
  "invalid-link": "This link has expired or was already used. Log in to get a new code.",
};

// Following the emailed link shows a button rather than verifying on GET: mail
// scanners that open every link must not use up the token.
export async function loader({ request }: LoaderFunctionArgs) {
  const token = new URL(request.url).searchParams.get("token");
  if (token) return { kind: "link" as const, token };
  const session = await requireUser(request, { allowUnverified: true });
  if (session.user.emailVerified) throw redirect("/home");
  return { kind: "code" as const, email: (await pendingVerificationEmail(getDb(), session.user.id, "signup")) ?? session.user.email };
}

export const headers = passThroughHeaders;

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request, VerifySchema);
  if (!form.ok) return formFailure(form);
  const db = getDb();
  const { intent, code, token } = form.data;

  if (intent === "link") {
    const result = await verifyLinkToken(db, token ?? "");
    if (!result.ok) return formFailure({ fieldErrors: {}, formError: FAILURES[result.reason], values: {} }, 400);
    // The browser that signed up (or is signed in to this account) goes on;
    // any other browser — a link forwarded, or opened on another device — logs in.
    const signedIn = await getSession(request);
    if (!signedIn || signedIn.user.id !== result.userId) throw redirect("/login?notice=verified");
    throw redirect(result.purpose === "email-change" ? "/settings?notice=email-changed" : "/home");
  }

  const session = await requireUser(request, { allowUnverified: true });
  if (intent === "resend") {
    const resent = await resendSignupCode(db, session.user);
    if (!resent.ok) return tooManyRequests(resent.retryAfterSeconds, "You asked for several codes already. Please wait before asking again.");
    return { ok: true as const, resent: true };
  }

  if (!code || !/^\d{8}$/.test(code)) return formFailure({ fieldErrors: { code: "Enter the 8-digit code from the email." }, values: {} });
  const result = await confirmSignupCode(db, session.user.id, code);
  if (!result.ok && result.reason === "throttled") return tooManyRequests(result.retryAfterSeconds, "Too many wrong codes. Please wait a while and try again.");
  if (!result.ok) return formFailure({ fieldErrors: { code: FAILURES[result.reason] } }, 400);
  throw redirect("/home");
}

export const meta: MetaFunction = () => [{ title: "Confirm your email address" }];

export default function VerifyEmail() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;

  if (page.kind === "link") {
    return (
      <Page width="narrow" title="Confirm your email address">
        {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
        <Card>
          <Form method="post">
            <input type="hidden" name="intent" value="link" />
            <input type="hidden" name="token" value={page.token} />
            <Button block>Confirm my email address</Button>
          </Form>
        </Card>
      </Page>
    );
  }

  return (
    <Page
      width="narrow"
      title="Confirm your email address"
      description={
        <>
          We sent an 8-digit code to <strong>{page.email}</strong>. Enter it here, or follow the link in the same email.
        </>
      }
    >
      {result?.ok ? <Alert tone="success">A new code is on its way. Earlier codes no longer work.</Alert> : null}
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      <Card
        footer={
          <Form method="post">
            <input type="hidden" name="intent" value="resend" />
            <Button variant="secondary" size="small">
              Send me a new code
            </Button>
          </Form>
        }
      >
        <Form method="post" className="form" noValidate>
          <input type="hidden" name="intent" value="code" />
          <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{8}" required error={failure?.fieldErrors.code} />
          <Button block>Confirm</Button>
        </Form>
      </Card>
    </Page>
  );
}
