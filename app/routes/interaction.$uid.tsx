import { data, redirectDocument, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { findApp } from "~/.server/identity/apps";
import { allowConsent, consentRequest, denyConsent, finishLogin, type OidcInteraction } from "~/.server/identity/interactions";
import { describeScopes } from "~/.server/identity/scopes";
import { SubmitButton } from "~/components/form";

const ConsentSchema = z.object({ decision: z.enum(["allow", "deny"], { error: "Choose Allow or Deny." }) });

const EXPIRED = "This sign-in request has expired, or was started in another browser. Go back to the app and sign in again.";

function interactionOf(context: LoaderFunctionArgs["context"], uid: string | undefined): OidcInteraction {
  const lookup = context.oidcInteraction;
  if (!lookup?.ok || lookup.interaction.uid !== uid) throw data({ expired: EXPIRED }, { status: 400 });
  return lookup.interaction;
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const interaction = interactionOf(context, params.uid);
  // Signing in to an app is signing in to Gatehouse (password, 2FA, passkey):
  // requireUser sends the person to /login and back here.
  const { user } = await requireUser(request);
  // The provider asks "who is this?" (or knew someone else on this browser):
  // the answer is the Gatehouse account, and the provider takes it from there.
  if (interaction.prompt.name === "login" || interaction.session?.accountId !== user.id) {
    throw redirectDocument(await finishLogin(interaction, user.id));
  }
  const request_ = consentRequest(interaction);
  const app = await findApp(getDb(), request_.clientId);
  if (!app) throw data({ expired: EXPIRED }, { status: 400 });
  return {
    uid: interaction.uid,
    appName: app.name,
    redirectHost: URL.canParse(String(interaction.params.redirect_uri)) ? new URL(String(interaction.params.redirect_uri)).host : null,
    scopes: describeScopes(request_.scopes),
    resources: request_.resources,
    email: user.email,
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const interaction = interactionOf(context, params.uid);
  const { user } = await requireUser(request);
  const form = await readForm(request, ConsentSchema);
  if (!form.ok) return formFailure(form);
  // Consent is given by the person the provider is asking about, and no one else.
  if (interaction.session?.accountId !== user.id) throw redirectDocument(await finishLogin(interaction, user.id));
  const next = form.data.decision === "allow" ? await allowConsent(interaction, user.id) : await denyConsent(interaction);
  // The provider's endpoint is not a Remix route: a full page load, JS or not.
  throw redirectDocument(next, 303);
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data && "appName" in data ? `Allow ${data.appName}?` : "Sign-in request" }];

export default function Consent() {
  const consent = useLoaderData<typeof loader>();
  return (
    <section className="panel stack" aria-labelledby="consent-title">
      <h1 id="consent-title">Allow {consent.appName} to sign you in?</h1>
      <p>
        You are signed in as <strong>{consent.email}</strong>.
        {consent.redirectHost ? (
          <>
            {" "}
            After you answer you go back to <strong>{consent.redirectHost}</strong>.
          </>
        ) : null}
      </p>
      <h2>{consent.appName} asks to</h2>
      <ul>
        {consent.scopes.map((scope) => (
          <li key={scope}>{scope}</li>
        ))}
        {consent.resources.map((resource) => (
          <li key={resource}>Call {resource} as you</li>
        ))}
      </ul>
      <p>You can take this back at any time in Settings → Apps and devices.</p>
      <Form method="post" reloadDocument>
        <SubmitButton name="decision" value="allow">
          Allow
        </SubmitButton>
        <SubmitButton name="decision" value="deny" variant="secondary">
          Deny
        </SubmitButton>
      </Form>
    </section>
  );
}

export function ErrorBoundary() {
  return (
    <section className="panel stack" aria-labelledby="interaction-error-title">
      <h1 id="interaction-error-title">This sign-in request cannot continue</h1>
      <p>{EXPIRED}</p>
    </section>
  );
}
