import type { ActionFunctionArgs, MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { getDb } from "~/.server/db";
import { issueFormStamp } from "~/.server/waitlist/form-stamp";
import { submitWaitlist } from "~/.server/waitlist/submit";
import { Card } from "~/components/card";
import { Page } from "~/components/page";
import { WaitlistForm } from "~/components/waitlist-form";
import { passThroughHeaders } from "~/utils/headers";

// With JavaScript the landing page posts here in the background. Without it,
// the browser lands on this page, which shows the outcome (or the form again,
// with the visitor's input and what to fix).
export async function loader() {
  return { stamp: await issueFormStamp(getDb()) };
}

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  return submitWaitlist(request, { ip: context.clientIp, userAgent: request.headers.get("user-agent") });
}

export const meta: MetaFunction = () => [{ title: "Join the waitlist" }];

export default function Waitlist() {
  const { stamp } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Page width="narrow" title="Join the waitlist" labelled>
      <Card>
        <WaitlistForm stamp={stamp} result={result} />
      </Card>
    </Page>
  );
}
