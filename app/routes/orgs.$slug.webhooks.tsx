import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireRecentAuth } from "~/.server/accounts/mfa/step-up";
import { getDb } from "~/.server/db";
import { handleEndpointAction, loadEndpointPage } from "~/.server/events/endpoint-page";
import { requireOrgRole } from "~/.server/orgs/access";
import { Page } from "~/components/page";
import { WebhookEndpoints } from "~/components/webhook-endpoints";
import { passThroughHeaders } from "~/utils/headers";

// An org's own event endpoints (a SIEM collector, an internal tool): the org's
// changes and every event of its audit history.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  return { org: { name: org.name }, ...(await loadEndpointPage(getDb(), { orgId: org.id })) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireOrgRole(request, params.slug, "admin");
  const intent = new URL(request.url).searchParams.get("intent");
  if (intent === "create" || intent === "rotate") await requireRecentAuth(request);
  return handleEndpointAction(getDb(), request, { orgId: access.org.id, userId: access.session.user.id, actor: access.actor, ip: access.ip, audited: true });
}

// The answer that shows a new secret must not be stored by any cache.
export const headers = passThroughHeaders;

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Webhooks — ${data?.org.name ?? ""}` }];

export default function OrgWebhooks() {
  const { org, ...page } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Page width="wide" title="Webhooks" description={`${org.name}'s changes and its whole audit history, sent as signed events to your own systems (a SIEM collector, say).`}>
      <WebhookEndpoints {...page} result={result} audience={`${org.name}'s systems`} />
    </Page>
  );
}
