import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { COUNT_CAP, loadAdminOverview } from "~/.server/admin/overview";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { PlanBadge } from "~/components/badge";
import { Card } from "~/components/card";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  // Billing (and its webhook log) exists only in the hosted deployment.
  const hosted = getEnv().GATEHOUSE_MODE === "hosted";
  const overview = await loadAdminOverview(getDb(), { billing: hosted });
  // Past the cap a count reads "10,000+": the query stopped there.
  const shown = (count: { value: number; capped: boolean } | null) => (count ? (count.capped ? `${COUNT_CAP.toLocaleString("en")}+` : count.value.toLocaleString("en")) : null);
  return {
    hosted,
    shown: { users: shown(overview.users)!, usersPendingDeletion: overview.usersPendingDeletion.value > 0 ? shown(overview.usersPendingDeletion) : null, waitlistPending: shown(overview.waitlistPending)!, emailsFailed: shown(overview.emailsFailed)!, webhooksFailed: shown(overview.webhooksFailed) },
    counts: { users: overview.users, usersPendingDeletion: overview.usersPendingDeletion, waitlistPending: overview.waitlistPending, emailsFailed: overview.emailsFailed, webhooksFailed: overview.webhooksFailed },
    orgDeletions: overview.orgDeletions.map((d) => ({
      id: String(d.id),
      name: d.name,
      slug: d.slug,
      plan: d.plan,
      members: d.member_count,
      deletedBy: d.deletedByEmail ?? (d.deleted_by ? "a deleted user" : "unknown"),
      deletedById: d.deletedByEmail ? d.deleted_by : null,
      cancelledSubscriptions: d.cancelled_subscriptions,
      deletedAt: d.deleted_at.toISOString(),
    })),
  };
}

export const meta: MetaFunction = () => [{ title: "Operator console" }];

export default function AdminHome() {
  const { hosted, counts, shown, orgDeletions } = useLoaderData<typeof loader>();
  return (
    <Page title="Operator console" description="The state of this installation at a glance, and where to act on it." width="wide">
      <div className="stack">
        <div className="stats">
          <Stat label="Accounts" value={shown.users} to="/admin/users" note={shown.usersPendingDeletion ? `${shown.usersPendingDeletion} being deleted` : undefined} />
          <Stat label="Waiting on the waitlist" value={shown.waitlistPending} to="/admin/waitlist" note="Confirmed, not yet invited" />
          <Stat label="Emails failed" value={shown.emailsFailed} to="/admin/emails" note={counts.emailsFailed.value > 0 ? "Retry them from the email log" : "Nothing to retry"} />
          {counts.webhooksFailed && shown.webhooksFailed ? <Stat label="Webhooks failed" value={shown.webhooksFailed} to="/admin/webhooks" note={counts.webhooksFailed.value > 0 ? "Replay them from the webhook log" : "Nothing to replay"} /> : null}
        </div>

        <Card title="Where to go">
          <ul className="link-list">
            <li>
              <span className="link-list__main">
                <Link to="/admin/users">Users</Link>
                <span className="link-list__meta">Find an account, see its sessions and orgs, and delete it on request.</span>
              </span>
            </li>
            <li>
              <span className="link-list__main">
                <Link to="/admin/waitlist">Waitlist</Link>
                <span className="link-list__meta">Search, export and invite the people waiting.</span>
              </span>
            </li>
            <li>
              <span className="link-list__main">
                <Link to="/admin/emails">Email log</Link>
                <span className="link-list__meta">Every message the portal sent or tried to send, and retrying failed ones.</span>
              </span>
            </li>
            <li>
              <span className="link-list__main">
                <Link to="/admin/apps">Apps</Link>
                <span className="link-list__meta">The apps and CLIs that sign people in with this portal (OpenID Connect clients).</span>
              </span>
            </li>
            <li>
              <span className="link-list__main">
                <Link to="/admin/sso">Single sign-on</Link>
                <span className="link-list__meta">One identity provider for everyone on this server, and the email domains organizations claim.</span>
              </span>
            </li>
            <li>
              <span className="link-list__main">
                <Link to="/admin/notices">Notices</Link>
                <span className="link-list__meta">Publish a policy change, emailed to every account and shown in a banner for 30 days.</span>
              </span>
            </li>
            {hosted ? (
              <li>
                <span className="link-list__main">
                  <Link to="/admin/webhooks">Webhook log</Link>
                  <span className="link-list__meta">Billing events from LemonSqueezy, their status and errors, replay, and reconciliation.</span>
                </span>
              </li>
            ) : null}
          </ul>
        </Card>

        <Card title="Deleted organizations" description="Orgs their owners deleted, newest first. Their data, audit history included, is gone; this record stays.">
          {orgDeletions.length === 0 ? (
            <p className="muted">No organization has been deleted.</p>
          ) : (
            <ul className="link-list" aria-label="Deleted organizations">
              {orgDeletions.map((d) => (
                <li key={d.id}>
                  <span className="link-list__main">
                    <span className="cluster">
                      <strong>{d.name}</strong> <span className="muted small">/{d.slug}</span> <PlanBadge plan={d.plan} />
                    </span>
                    <span className="link-list__meta">
                      Deleted <RelativeTime iso={d.deletedAt} /> by {d.deletedById ? <Link to={`/admin/users/${d.deletedById}`}>{d.deletedBy}</Link> : d.deletedBy} · {d.members} member{d.members === 1 ? "" : "s"}
                      {d.cancelledSubscriptions.length > 0 ? ` · subscription ${d.cancelledSubscriptions.join(", ")} cancelled` : ""}
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </Page>
  );
}

function Stat({ label, value, to, note }: { label: string; value: string; to: string; note?: string }) {
  return (
    <div className="stat">
      <span className="stat__value">{value}</span>
      <Link to={to} className="stat__label">
        {label}
      </Link>
      {note ? <span className="stat__label">{note}</span> : null}
    </div>
  );
}
