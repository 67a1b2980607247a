import { data, redirect, redirectDocument, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CredentialSchema, RecoveryCodeSchema, TotpCodeSchema } from "~/.server/accounts/mfa/code-schemas";
import { signedInDestination } from "~/.server/accounts/mfa/destination";
import { getMfaSummary } from "~/.server/accounts/mfa/factors";
import { findPendingSignIn } from "~/.server/accounts/mfa/pending-sign-in";
import { relyingParty } from "~/.server/accounts/mfa/relying-party";
import { completeSecondFactor, type SecondFactorProof } from "~/.server/accounts/mfa/sign-in";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { tooManyRequests } from "~/.server/http/responses";
import { clearedSessionCookie, readSessionToken, sessionCookie } from "~/.server/session-cookie";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { PasskeyButton } from "~/components/passkey-button";
import { passThroughHeaders } from "~/utils/headers";

const TotpSchema = z.object({ intent: z.literal("totp"), code: TotpCodeSchema, redirectTo: z.string().max(2000).optional() });
const RecoverySchema = z.object({ intent: z.literal("recovery-code"), recoveryCode: RecoveryCodeSchema, redirectTo: z.string().max(2000).optional() });
const PasskeySchema = z.object({ intent: z.literal("passkey"), credential: CredentialSchema, redirectTo: z.string().max(2000).optional() });

const SIGN_IN_ENDED = "Your sign-in expired or was ended. Log in again.";

export async function loader({ request }: LoaderFunctionArgs) {
  const db = getDb();
  const pending = await findPendingSignIn(db, readSessionToken(request));
  // Not a redirect: a form that just failed for good should still say why.
  if (!pending) return { pending: null };
  const summary = await getMfaSummary(db, pending.userId);
  return { pending: { email: pending.email, totp: summary.totp !== null, passkeys: summary.passkeys > 0, recoveryCodes: summary.recoveryCodesLeft > 0 } };
}

export const headers = passThroughHeaders;

async function readProof(request: Request): Promise<{ ok: true; proof: SecondFactorProof; redirectTo?: string } | { ok: false; response: ReturnType<typeof formFailure> }> {
  const intent = new URL(request.url).searchParams.get("intent");
  if (intent === "recovery-code") {
    const form = await readForm(request, RecoverySchema);
    return form.ok ? { ok: true, proof: { kind: "recovery-code", code: form.data.recoveryCode }, redirectTo: form.data.redirectTo } : { ok: false, response: formFailure(form) };
  }
  if (intent === "passkey") {
    const form = await readForm(request, PasskeySchema);
    return form.ok ? { ok: true, proof: { kind: "passkey", credential: form.data.credential }, redirectTo: form.data.redirectTo } : { ok: false, response: formFailure(form) };
  }
  const form = await readForm(request, TotpSchema);
  return form.ok ? { ok: true, proof: { kind: "totp", code: form.data.code }, redirectTo: form.data.redirectTo } : { ok: false, response: formFailure(form) };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const db = getDb();
  const pending = await findPendingSignIn(db, readSessionToken(request));
  if (!pending) return formFailure({ formError: SIGN_IN_ENDED }, { status: 401, headers: { "Set-Cookie": clearedSessionCookie() } });
  const read = await readProof(request);
  if (!read.ok) return read.response;

  const result = await completeSecondFactor(db, pending, read.proof, { client: { ip: context.clientIp, userAgent: request.headers.get("user-agent") }, rp: relyingParty() });
  if (result.ok) {
    const destination = signedInDestination(result, read.redirectTo);
    const init = { headers: { "Set-Cookie": sessionCookie(result.token) } };
    // Back to an app's sign-in (/interaction/:uid) with a full page load, as login.tsx does.
    throw destination.startsWith("/interaction/") ? redirectDocument(destination, init) : redirect(destination, init);
  }
  // An org's rule refused (a non-owner where SSO is required): the half sign-in ends here.
  if (result.reason === "policy") return formFailure({ formError: result.message }, { status: 403, headers: { "Set-Cookie": clearedSessionCookie() } });
  if (result.reason === "throttled") return tooManyRequests(result.retryAfterSeconds, "Too many attempts. Please wait a few minutes and try again.");
  if (result.reason === "gone") return formFailure({ formError: SIGN_IN_ENDED }, { status: 401, headers: { "Set-Cookie": clearedSessionCookie() } });
  if (!result.attemptsLeft) return formFailure({ formError: "Too many wrong codes. Log in again." }, { status: 401, headers: { "Set-Cookie": clearedSessionCookie() } });
  const field = read.proof.kind === "passkey" ? "credential" : read.proof.kind === "recovery-code" ? "recoveryCode" : "code";
  const message =
    result.reason === "wrong-passkey"
      ? "That passkey belongs to another account, or was removed. Use a passkey of this account."
      : result.reason === "invalid-passkey"
        ? "That passkey answer could not be verified. Try again."
        : read.proof.kind === "recovery-code"
          ? "That recovery code is not right, or was already used."
          : "That code is not right. Check your app's clock and use the newest code.";
  return data({ ok: false as const, intent: read.proof.kind, fieldErrors: { [field]: message }, formError: field === "credential" ? message : undefined, values: {} }, { status: result.reason === "wrong-passkey" ? 403 : 401 });
}

export const meta: MetaFunction = () => [{ title: "Two-step verification" }];

export default function SecondFactor() {
  const { pending } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const redirectTo = searchParams.get("redirectTo") ?? "";
  const sent = searchParams.get("intent");
  const actionFor = (intent: string) => `?intent=${intent}${redirectTo ? `&redirectTo=${encodeURIComponent(redirectTo)}` : ""}`;
  const errorFor = (intent: string) => (failure && sent === intent ? (intent === "recovery-code" ? failure.fieldErrors?.recoveryCode : failure.fieldErrors?.code) : undefined);

  if (!pending) {
    return (
      <section className="panel stack" aria-labelledby="second-factor-title">
        <h1 id="second-factor-title">Two-step verification</h1>
        <FormMessage tone="error">{failure?.formError ?? SIGN_IN_ENDED}</FormMessage>
        <p>
          <Link to="/login">Log in again</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="panel stack" aria-labelledby="second-factor-title">
      <h1 id="second-factor-title">Two-step verification</h1>
      <p>
        Signing in as <strong>{pending.email}</strong>. Prove it is you with your second factor.
      </p>
      {failure?.formError && sent !== "passkey" ? <FormMessage tone="error">{failure.formError}</FormMessage> : null}
      {pending.totp ? (
        <Form method="post" action={actionFor("totp")} className="stack" noValidate>
          <input type="hidden" name="intent" value="totp" />
          <input type="hidden" name="redirectTo" value={redirectTo} />
          <Field label="Code from your authenticator app" name="code" inputMode="numeric" autoComplete="one-time-code" required error={errorFor("totp")} />
          <SubmitButton>Verify</SubmitButton>
        </Form>
      ) : null}
      {pending.passkeys ? (
        <PasskeyButton purpose="second-factor" action={`/login/2fa${actionFor("passkey")}`} fields={{ intent: "passkey", redirectTo }}>
          Use a passkey
        </PasskeyButton>
      ) : null}
      {pending.recoveryCodes ? (
        <details open={errorFor("recovery-code") ? true : undefined}>
          <summary>Use a recovery code</summary>
          <Form method="post" action={actionFor("recovery-code")} className="stack" noValidate>
            <input type="hidden" name="intent" value="recovery-code" />
            <input type="hidden" name="redirectTo" value={redirectTo} />
            <Field label="Recovery code" name="recoveryCode" autoComplete="off" required hint="One of the ten codes you saved when you turned on two-factor. Each works once." error={errorFor("recovery-code")} />
            <SubmitButton variant="secondary">Use recovery code</SubmitButton>
          </Form>
        </details>
      ) : null}
      <p>
        <Link to="/login">Cancel</Link> · Lost your factors? Contact the administrator of this service.
      </p>
    </section>
  );
}
