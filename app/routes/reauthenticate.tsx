// Step-up: prove it is you again (password, authenticator code or passkey),
// then back to the page of the sensitive action. See requireRecentAuth().
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { CredentialSchema, TotpCodeSchema } from "~/.server/accounts/mfa/code-schemas";
import { getMfaSummary } from "~/.server/accounts/mfa/factors";
import { relyingParty } from "~/.server/accounts/mfa/relying-party";
import { reauthenticate, type ReauthProof } from "~/.server/accounts/mfa/step-up";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { tooManyRequests, unlessBusy } from "~/.server/http/responses";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { PasskeyButton } from "~/components/passkey-button";
import { passThroughHeaders } from "~/utils/headers";
import { safeRedirect } from "~/utils/safe-redirect";

const redirectTo = z.string().max(2000).optional();
const Schemas = {
  password: z.object({ intent: z.literal("password"), password: z.string({ error: "Enter your password." }).min(1, "Enter your password.").max(1024), redirectTo }),
  totp: z.object({ intent: z.literal("totp"), code: TotpCodeSchema, redirectTo }),
  passkey: z.object({ intent: z.literal("passkey"), credential: CredentialSchema, redirectTo }),
};

// Reached while signed in, including during a deletion's grace period and before verifying.
const SESSION_OPTIONS = { allowPendingDeletion: true, allowUnverified: true } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireUser(request, SESSION_OPTIONS);
  const summary = await getMfaSummary(getDb(), session.user.id);
  return { email: session.user.email, totp: summary.totp !== null, passkeys: summary.passkeys > 0 };
}

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireUser(request, SESSION_OPTIONS);
  const intent = new URL(request.url).searchParams.get("intent");
  const schema = intent === "totp" ? Schemas.totp : intent === "passkey" ? Schemas.passkey : Schemas.password;
  const form = await readForm(request, schema);
  if (!form.ok) return formFailure(form);
  const data = form.data as z.output<(typeof Schemas)[keyof typeof Schemas]>;
  const proof: ReauthProof =
    data.intent === "password" ? { kind: "password", password: data.password } : data.intent === "totp" ? { kind: "totp", code: data.code } : { kind: "passkey", credential: data.credential };
  return unlessBusy(async () => {
    const result = await reauthenticate(getDb(), session, proof, { rp: relyingParty(), ip: context.clientIp });
    if (result.ok) throw redirect(safeRedirect(data.redirectTo, "/settings"));
    if (result.reason === "throttled") return tooManyRequests(result.retryAfterSeconds, "Too many attempts. Please wait a few minutes and try again.");
    const field = proof.kind === "password" ? "password" : proof.kind === "totp" ? "code" : "credential";
    const message =
      result.reason === "wrong-passkey"
        ? "That passkey belongs to another account, or was removed."
        : proof.kind === "password"
          ? "That is not your password."
          : proof.kind === "totp"
            ? "That code is not right, or was already used. Wait for the next one."
            : "That passkey answer could not be verified. Try again.";
    return formFailure({ fieldErrors: { [field]: message }, formError: proof.kind === "passkey" ? message : undefined }, result.reason === "wrong-passkey" ? 403 : 401);
  });
}

export const meta: MetaFunction = () => [{ title: "Confirm it is you" }];

export default function Reauthenticate() {
  const { email, totp, passkeys } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const target = searchParams.get("redirectTo") ?? "";
  const sent = searchParams.get("intent") ?? "password";
  const actionFor = (intent: string) => `?intent=${intent}${target ? `&redirectTo=${encodeURIComponent(target)}` : ""}`;
  const errorsFor = (intent: string) => (failure && sent === intent ? failure.fieldErrors : undefined);
  return (
    <Page
      width="narrow"
      title="Confirm it is you"
      description={
        <>
          This change needs a fresh proof that you are <strong>{email}</strong>. It counts for ten minutes.
        </>
      }
    >
      {failure?.formError && sent !== "passkey" ? <Alert tone="danger">{failure.formError}</Alert> : null}
      <Card>
        <Form method="post" action={actionFor("password")} className="form" noValidate>
          <input type="hidden" name="intent" value="password" />
          <input type="hidden" name="redirectTo" value={target} />
          <Field label="Password" name="password" type="password" autoComplete="current-password" required error={errorsFor("password")?.password} />
          <Button block>Confirm with password</Button>
        </Form>
        {totp ? (
          <Form method="post" action={actionFor("totp")} className="form" noValidate>
            <input type="hidden" name="intent" value="totp" />
            <input type="hidden" name="redirectTo" value={target} />
            <Field label="Code from your authenticator app" name="code" inputMode="numeric" autoComplete="one-time-code" required error={errorsFor("totp")?.code} />
            <Button variant="secondary" block>
              Confirm with code
            </Button>
          </Form>
        ) : null}
        {passkeys ? (
          <PasskeyButton purpose="reauthenticate" action={`/reauthenticate${actionFor("passkey")}`} fields={{ intent: "passkey", redirectTo: target }}>
            Confirm with a passkey
          </PasskeyButton>
        ) : null}
      </Card>
    </Page>
  );
}
