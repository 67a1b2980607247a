// /orgs/:slug/sso: an org's single sign-on, for its owners and admins —
// connections (OIDC, SAML), their tests, and the email domains that route
// sign-in to them. Team and Enterprise plans; a Solo org sees what it would get.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { requireOrgRole } from "~/.server/orgs/access";
import { assertCanUseSso, orgMayUseSso } from "~/.server/sso/entitlement";
import { samlMetadataParser } from "~/.server/sso/saml-settings";
import { handleSsoSettingsAction } from "~/.server/sso/settings-actions";
import { ssoSettingsView } from "~/.server/sso/settings-view";
import { Alert } from "~/components/alert";
import { ButtonLink } from "~/components/button";
import { Page } from "~/components/page";
import { SsoSettings } from "~/components/sso-settings";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const env = getEnv();
  const allowed = orgMayUseSso(org.plan);
  const view = allowed ? await ssoSettingsView(getDb(), org.id, env.GATEHOUSE_MODE, new URL(request.url).searchParams) : null;
  return { org: { slug: org.slug, name: org.name }, allowed, view, billing: env.BILLING !== null };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireOrgRole(request, params.slug, "admin");
  assertCanUseSso(access.org.plan);
  const env = getEnv();
  return handleSsoSettingsAction(getDb(), request, {
    orgId: access.org.id,
    session: access.session,
    ip: access.ip,
    mode: env.GATEHOUSE_MODE,
    dnsServers: env.SSO_DNS_SERVERS,
    mayMarkVerified: false,
    parseMetadata: samlMetadataParser(),
  });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Single sign-on — ${data?.org.name ?? ""}` }];

export default function OrgSso() {
  const { org, allowed, view, billing } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Page width="wide" title="Single sign-on" description={<>Let the people of {org.name} sign in with your company's identity provider (OIDC or SAML).</>}>
      {allowed && view ? (
        <SsoSettings view={view} result={result} operator={false} />
      ) : (
        <Alert tone="info" title="Single sign-on comes with the Team plan">
          {billing ? (
            <p>
              An owner or admin can upgrade on the <ButtonLink to={`/orgs/${org.slug}/billing`} variant="ghost">Billing page</ButtonLink>.
            </p>
          ) : (
            <p>Ask the operator of this server to move the organization to a plan with single sign-on.</p>
          )}
        </Alert>
      )}
    </Page>
  );
}
