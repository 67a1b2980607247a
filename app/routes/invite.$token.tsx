import { redirect, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { getSession } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, newPassword, optionalText, readForm } from "~/.server/forms";
import { unlessBusy } from "~/.server/http/responses";
import { acceptInvitation, findInvitation, signUpFromInvitation } from "~/.server/orgs/invitations";
import { checkSignInPolicies } from "~/.server/orgs/security-policy/check";
import { checkPasswordPolicy } from "~/.server/password";
import { createSession } from "~/.server/session";
import { sessionCookie } from "~/.server/session-cookie";
import { Field, FormMessage, SubmitButton } from "~/components/form";

const AcceptSchema = z.object({ intent: z.literal("accept") });
const SignupSchema = z.object({ intent: z.literal("signup"), name: optionalText("Name", { max: 100 }), password: newPassword("Choose a password.") });

const WRONG_ACCOUNT = "This invitation was sent to a different email address. Log out and open the link again, or ask for an invitation to this account's address.";

export const headers: HeadersFunction = () => ({ "Referrer-Policy": "no-referrer" });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const invitation = await findInvitation(getDb(), params.token ?? "");
  if (!invitation) return { state: "invalid" as const };
  const session = await getSession(request);
  const base = { orgName: invitation.orgName, role: invitation.role, email: invitation.email, path: `/invite/${params.token}` };
  if (!session) {
    const hasAccount = await getDb().selectFrom("user").select("id").where("email", "=", invitation.email).executeTakeFirst();
    return { state: hasAccount ? ("log-in" as const) : ("sign-up" as const), ...base };
  }
  if (session.user.email !== invitation.email) return { state: "wrong-account" as const, ...base };
  return { state: "accept" as const, ...base };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const token = params.token ?? "";
  const db = getDb();
  const intent = new URL(request.url).searchParams.get("intent");
  if (intent === "signup") {
    const form = await readForm(request, SignupSchema);
    if (!form.ok) return formFailure(form);
    const invitation = await findInvitation(db, token);
    if (!invitation) return formFailure({ formError: "This invitation has expired, was revoked or was already used." }, 410);
    const problem = checkPasswordPolicy(form.data.password, { email: invitation.email, name: form.data.name });
    if (problem) return formFailure({ fieldErrors: { password: problem }, values: form.values });
    return unlessBusy(async () => {
      const result = await signUpFromInvitation(db, token, { password: form.data.password, name: form.data.name }, context.clientIp);
      if (!result.ok && result.reason === "domain-not-allowed") return formFailure({ formError: result.message }, 403);
      if (!result.ok) {
        const message = result.reason === "account-exists" ? "An account already exists for this address: log in to accept." : result.reason === "no-seats" ? "This organization has no free seat right now." : "This invitation is no longer valid.";
        return formFailure({ formError: message }, result.reason === "invalid" ? 410 : 409);
      }
      // The org just joined may require SSO or two-factor, and limits its sessions: the same check as every sign-in.
      const decision = await checkSignInPolicies(db, { userId: result.userId, method: "password", ip: context.clientIp });
      if (!decision.ok) throw redirect("/login?notice=joined-sign-in-with-sso");
      const { token: sessionToken } = await createSession(db, result.userId, { ip: context.clientIp, userAgent: request.headers.get("user-agent") }, new Date(), "password", { limits: decision.sessionLimits });
      throw redirect(decision.next ?? `/orgs/${result.orgSlug}`, { headers: { "Set-Cookie": sessionCookie(sessionToken) } });
    });
  }

  const form = await readForm(request, AcceptSchema);
  if (!form.ok) return formFailure(form);
  const session = await getSession(request);
  if (!session) throw redirect(`/login?redirectTo=${encodeURIComponent(`/invite/${token}`)}`);
  const result = await acceptInvitation(db, token, session.user, context.clientIp);
  if (result.ok) throw redirect(`/orgs/${result.orgSlug}`);
  if (result.reason === "wrong-account") return formFailure({ formError: WRONG_ACCOUNT }, 403);
  if (result.reason === "domain-not-allowed") return formFailure({ formError: result.message }, 403);
  if (result.reason === "no-seats") return formFailure({ formError: "This organization has no free seat right now. Ask an admin." }, 409);
  return formFailure({ formError: "This invitation has expired, was revoked or was already used." }, 410);
}

export const meta: MetaFunction = () => [{ title: "Invitation" }];

export default function Invite() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  if (page.state === "invalid") {
    return (
      <section className="panel stack" aria-labelledby="invite-title">
        <h1 id="invite-title">This invitation no longer works</h1>
        <p>It may have expired, been revoked, or been used already. Ask the person who invited you for a new one.</p>
      </section>
    );
  }
  return (
    <section className="panel stack" aria-labelledby="invite-title">
      <h1 id="invite-title">Join {page.orgName}</h1>
      <p>
        You are invited as {page.role === "admin" ? "an admin" : `a ${page.role}`}. The invitation is for <strong>{page.email}</strong>.
      </p>
      {failure?.formError ? <FormMessage tone="error">{failure.formError}</FormMessage> : null}
      {page.state === "wrong-account" ? <FormMessage tone="error">{WRONG_ACCOUNT}</FormMessage> : null}
      {page.state === "accept" ? (
        <Form method="post" action="?intent=accept">
          <input type="hidden" name="intent" value="accept" />
          <SubmitButton>Accept and join</SubmitButton>
        </Form>
      ) : null}
      {page.state === "log-in" ? (
        <p>
          You already have an account. <Link to={`/login?redirectTo=${encodeURIComponent(page.path)}`}>Log in</Link> to accept.
        </p>
      ) : null}
      {page.state === "sign-up" ? (
        <Form method="post" action="?intent=signup" className="stack" noValidate>
          <input type="hidden" name="intent" value="signup" />
          <Field label="Name (optional)" name="name" autoComplete="name" defaultValue={failure?.values.name} error={failure?.fieldErrors.name} />
          <Field label="Password" name="password" type="password" autoComplete="new-password" required hint="At least 8 characters." error={failure?.fieldErrors.password} />
          <SubmitButton>Create my account and join</SubmitButton>
        </Form>
      ) : null}
    </section>
  );
}
