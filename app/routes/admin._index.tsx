import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireOperator } from "~/.server/auth";
import { getEnv } from "~/.server/env";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  // Billing (and its webhook log) exists only in the hosted deployment.
  return { hosted: getEnv().GATEHOUSE_MODE === "hosted" };
}

export const meta: MetaFunction = () => [{ title: "Operator console" }];

export default function AdminHome() {
  const { hosted } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <h1>Operator console</h1>
      <ul>
        <li>
          <Link to="/admin/users">Users</Link>: find an account, and delete it on request.
        </li>
        <li>
          <Link to="/admin/waitlist">Waitlist</Link>: search, export and invite the people waiting.
        </li>
        <li>
          <Link to="/admin/emails">Email log</Link>: every message the portal sent or tried to send, and retrying failed ones.
        </li>
        <li>
          <Link to="/admin/apps">Apps</Link>: the apps and CLIs that sign people in with this portal (OpenID Connect clients).
        </li>
        <li>
          <Link to="/admin/notices">Notices</Link>: publish a policy change, emailed to every account and shown in a banner for 30 days.
        </li>
        {hosted ? (
          <li>
            <Link to="/admin/webhooks">Webhook log</Link>: billing events from LemonSqueezy, their status and errors, replay, and reconciliation.
          </li>
        ) : null}
      </ul>
    </div>
  );
}
