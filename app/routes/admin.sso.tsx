// /admin/sso: the operator's single sign-on. One connection (or more) for
// everyone on this server, its email domains (verified by the operator's
// word), and — in self-hosted mode — the domains organizations have claimed,
// which the operator marks verified here.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { requestStore } from "~/.server/http/request-context";
import { listUnverifiedSsoDomains } from "~/.server/sso/domains";
import { samlMetadataParser } from "~/.server/sso/saml-settings";
import { handleSsoSettingsAction } from "~/.server/sso/settings-actions";
import { ssoSettingsView } from "~/.server/sso/settings-view";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Page } from "~/components/page";
import { SsoSettings } from "~/components/sso-settings";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  const env = getEnv();
  const db = getDb();
  const [view, claims] = await Promise.all([ssoSettingsView(db, null, env.GATEHOUSE_MODE, new URL(request.url).searchParams), listUnverifiedSsoDomains(db)]);
  return { view, claims: claims.filter((claim) => claim.orgSlug !== null).map((claim) => ({ id: claim.id, domain: claim.domain, orgName: claim.orgName, orgSlug: claim.orgSlug })) };
}

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireOperator(request);
  const env = getEnv();
  return handleSsoSettingsAction(getDb(), request, {
    orgId: null,
    session,
    ip: requestStore.getStore()?.clientIp ?? null,
    mode: env.GATEHOUSE_MODE,
    dnsServers: env.SSO_DNS_SERVERS,
    mayMarkVerified: true,
    parseMetadata: samlMetadataParser(),
  });
}

export const meta: MetaFunction = () => [{ title: "Single sign-on — operator" }];

export default function AdminSso() {
  const { view, claims } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Page width="wide" title="Single sign-on" description="One identity provider for everyone on this server. Organizations can also set up their own at their Single sign-on page.">
      {claims.length > 0 ? (
        <Card title="Domains organizations claimed" description="Mark a domain verified once you know the organization owns it: its addresses then sign in through the organization's connection.">
          <ul className="stack-sm">
            {claims.map((claim) => (
              <li key={claim.id} className="button-row">
                <span>
                  <strong>{claim.domain}</strong> — {claim.orgName}
                </span>
                <Form method="post" action="?intent=verify-domain">
                  <input type="hidden" name="domainId" value={claim.id} />
                  <Button variant="secondary" size="small">
                    Mark verified<span className="visually-hidden"> {claim.domain}</span>
                  </Button>
                </Form>
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      <SsoSettings view={view} result={result} operator />
    </Page>
  );
}
