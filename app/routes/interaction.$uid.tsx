import { data, redirectDocument, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { analyticsSettings } from "~/.server/analytics";
import { getEnv } from "~/.server/env";
import { securityHeaders } from "~/.server/http/security-headers";
import { passThroughHeaders } from "~/utils/headers";
import { z } from "zod";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { findApp } from "~/.server/identity/apps";
import { allowConsent, consentRequest, denyConsent, finishLogin, type OidcInteraction } from "~/.server/identity/interactions";
import { describeScopes } from "~/.server/identity/scopes";
import { checkSessionForApps } from "~/.server/orgs/security-policy/check";
import type { ValidSession } from "~/.server/session";
import { SubmitButton } from "~/components/form";

const ConsentSchema = z.object({ decision: z.enum(["allow", "deny"], { error: "Choose Allow or Deny." }) });

const EXPIRED = "This sign-in request has expired, or was started in another browser. Go back to the app and sign in again.";

function interactionOf(context: LoaderFunctionArgs["context"], uid: string | undefined): OidcInteraction {
  const lookup = context.oidcInteraction;
  if (!lookup?.ok || lookup.interaction.uid !== uid) throw data({ expired: EXPIRED }, { status: 400 });
  return lookup.interaction;
}

/**
 * Browsers apply a page's CSP form-action to every redirect after a form is
 * sent; the answer to this page's form ends at the app's redirect URI, so that
 * is the one other place this page's forms may lead to.
 */
function contentSecurityPolicyFor(redirectUri: unknown, nonce: string): string {
  const env = getEnv();
  const policy = securityHeaders(nonce, env.PUBLIC_URL, { analyticsOrigin: analyticsSettings(env)?.origin ?? null })["Content-Security-Policy"] ?? "";
  if (typeof redirectUri !== "string" || !URL.canParse(redirectUri)) return policy;
  const target = new URL(redirectUri);
  const source = target.protocol === "http:" || target.protocol === "https:" ? target.origin : target.protocol;
  return policy.replace("form-action 'self'", `form-action 'self' ${source}`);
}

/** An app gets no sign-in from a session that does not meet the person's orgs' rules (two-factor, SSO): the page says why. */
async function requirePolicyCompliance(session: ValidSession): Promise<void> {
  const verdict = await checkSessionForApps(getDb(), session);
  if (!verdict.ok) throw data({ expired: verdict.message }, { status: 403 });
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const interaction = interactionOf(context, params.uid);
  // Signing in to an app is signing in to Gatehouse (password, 2FA, passkey):
  // requireUser sends the person to /login and back here.
  const session = await requireUser(request);
  const { user } = session;
  await requirePolicyCompliance(session);
  const headers = { "Content-Security-Policy": contentSecurityPolicyFor(interaction.params.redirect_uri, context.cspNonce) };
  // The provider asks "who is this?" (or knew someone else on this browser):
  // the answer is the Gatehouse account, and the provider takes it from there.
  if (interaction.prompt.name === "login" || interaction.session?.accountId !== user.id) {
    const next = await finishLogin(interaction, user.id);
    // Straight after our login form, a redirect chain that ends at the app
    // (a trusted app skips consent) would count as that form's submission and
    // be blocked by the login page's form-action; a page that moves on by
    // itself (meta refresh) starts a fresh navigation.
    const fromOurOwnForm = request.headers.get("sec-fetch-site") === "same-origin" && request.headers.get("sec-fetch-mode") === "navigate";
    if (!fromOurOwnForm) throw redirectDocument(next);
    return data({ stage: "continue" as const, next }, { headers });
  }
  const request_ = consentRequest(interaction);
  const app = await findApp(getDb(), request_.clientId);
  if (!app) throw data({ expired: EXPIRED }, { status: 400 });
  return data(
    {
      stage: "consent" as const,
      uid: interaction.uid,
      appName: app.name,
      redirectHost: URL.canParse(String(interaction.params.redirect_uri)) ? new URL(String(interaction.params.redirect_uri)).host : null,
      scopes: describeScopes(request_.scopes),
      resources: request_.resources,
      email: user.email,
    },
    { headers },
  );
}

export const headers = passThroughHeaders;

export async function action({ request, params, context }: ActionFunctionArgs) {
  const interaction = interactionOf(context, params.uid);
  const session = await requireUser(request);
  const { user } = session;
  await requirePolicyCompliance(session);
  const form = await readForm(request, ConsentSchema);
  if (!form.ok) return formFailure(form);
  // Consent is given by the person the provider is asking about, and no one else.
  if (interaction.session?.accountId !== user.id) throw redirectDocument(await finishLogin(interaction, user.id));
  const next = form.data.decision === "allow" ? await allowConsent(interaction, user.id) : await denyConsent(interaction);
  // The provider's endpoint is not a Remix route: a full page load, JS or not.
  throw redirectDocument(next, 303);
}

export const meta: MetaFunction<typeof loader> = ({ data }) => {
  if (data?.stage === "continue") return [{ title: "Signing you in" }, { httpEquiv: "refresh", content: `0;url=${data.next}` }];
  return [{ title: data?.stage === "consent" ? `Allow ${data.appName}?` : "Sign-in request" }];
};

export default function Interaction() {
  const page = useLoaderData<typeof loader>();
  return page.stage === "continue" ? <Continue next={page.next} /> : <Consent consent={page} />;
}

// The meta refresh (see `meta`) moves on, with or without JavaScript; a
// script doing the same would race it and resume the sign-in twice.
function Continue({ next }: { next: string }) {
  return (
    <section className="panel stack" aria-labelledby="continue-title">
      <h1 id="continue-title">Signing you in…</h1>
      <p>
        <a href={next}>Continue to the app</a> if nothing happens.
      </p>
    </section>
  );
}

function Consent({ consent }: { consent: Extract<ReturnType<typeof useLoaderData<typeof loader>>, { stage: "consent" }> }) {
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
  const error = useRouteError();
  // A 403 carries the org rule the session does not meet; anything else is the expired request.
  const message = isRouteErrorResponse(error) && error.status === 403 && typeof (error.data as { expired?: unknown })?.expired === "string" ? (error.data as { expired: string }).expired : EXPIRED;
  return (
    <section className="panel stack" aria-labelledby="interaction-error-title">
      <h1 id="interaction-error-title">This sign-in request cannot continue</h1>
      <p>{message}</p>
    </section>
  );
}
