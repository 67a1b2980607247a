import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getDb } from "~/.server/db";
import { requireOrgRole } from "~/.server/orgs/access";
import { countMembers } from "~/.server/orgs/orgs";
import { roleAtLeast } from "~/utils/roles";
import { PlanBadge, RoleBadge } from "~/components/badge";
import { Card } from "~/components/card";
import { Page } from "~/components/page";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrgRole(request, params.slug);
  return { org: { slug: org.slug, name: org.name, plan: org.plan, seatLimit: org.seatLimit }, role, isAdmin: roleAtLeast(role, "admin"), members: await countMembers(getDb(), org.id) };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.org.name ?? "Organization" }];

export default function OrgOverview() {
  const { org, role, isAdmin, members } = useLoaderData<typeof loader>();
  return (
    <Page title={org.name} eyebrow="Organization" description={`/orgs/${org.slug}`}>
      <div className="stats">
        <div className="stat">
          <span className="stat__label">Plan</span>
          <span className="stat__value">
            <PlanBadge plan={org.plan} />
          </span>
        </div>
        <div className="stat">
          <span className="stat__label">Members</span>
          <span className="stat__value">
            {members}
            {org.seatLimit ? <span className="muted small"> of {org.seatLimit} seats</span> : null}
          </span>
        </div>
        <div className="stat">
          <span className="stat__label">Your role</span>
          <span className="stat__value">
            <RoleBadge role={role} />
          </span>
        </div>
      </div>
      <Card title="Next steps">
        <ul className="link-list">
          <li>
            <span className="link-list__main">
              <Link to={`/orgs/${org.slug}/members`}>Members</Link>
              <span className="link-list__meta">See who is in {org.name} and what they can do.</span>
            </span>
          </li>
          {isAdmin ? (
            <>
              <li>
                <span className="link-list__main">
                  <Link to={`/orgs/${org.slug}/invitations`}>Invite your team</Link>
                  <span className="link-list__meta">Send invitations by email; each takes a seat until it is accepted or expires.</span>
                </span>
              </li>
              <li>
                <span className="link-list__main">
                  <Link to={`/orgs/${org.slug}/api-keys`}>Create an API key</Link>
                  <span className="link-list__meta">Let your servers and the CLI push audit events.</span>
                </span>
              </li>
              <li>
                <span className="link-list__main">
                  <Link to={`/orgs/${org.slug}/audit`}>Read the audit history</Link>
                  <span className="link-list__meta">Who did what, and when; export it as CSV or JSON.</span>
                </span>
              </li>
            </>
          ) : null}
        </ul>
      </Card>
    </Page>
  );
}
