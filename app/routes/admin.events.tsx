import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { requireRecentAuth } from "~/.server/accounts/mfa/step-up";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { handleEndpointAction, loadEndpointPage } from "~/.server/events/endpoint-page";
import { Page } from "~/components/page";
import { WebhookEndpoints } from "~/components/webhook-endpoints";
import { passThroughHeaders } from "~/utils/headers";

// The instance's event endpoints: the vendor's apps, told about every account
// and org (user.deleted among them, so deletion reaches them).
export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  return loadEndpointPage(getDb(), { orgId: null });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireOperator(request);
  // Adding an endpoint or taking a new secret sends account data elsewhere: a recent sign-in proof first.
  const intent = new URL(request.url).searchParams.get("intent");
  if (intent === "create" || intent === "rotate") await requireRecentAuth(request);
  return handleEndpointAction(getDb(), request, {
    orgId: null,
    userId: session.user.id,
    actor: { userId: session.user.id, label: session.user.email },
    ip: context.clientIp ?? null,
    audited: false,
  });
}

// The answer that shows a new secret must not be stored by any cache.
export const headers = passThroughHeaders;

export const meta: MetaFunction = () => [{ title: "Events" }];

export default function AdminEvents() {
  const page = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Page width="wide" title="Events" description="Your apps hear about every account and organization change here, signed with Standard Webhooks. When an account is erased they receive user.deleted, so they can erase it too.">
      <WebhookEndpoints {...page} result={result} audience="your apps" />
    </Page>
  );
}
