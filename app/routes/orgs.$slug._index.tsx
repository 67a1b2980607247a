import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getDb } from "~/.server/db";
import { requireOrgRole } from "~/.server/orgs/access";
import { countMembers } from "~/.server/orgs/orgs";
import { roleAtLeast } from "~/utils/roles";
import { OrgNav } from "~/components/org-nav";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org, role } = await requireOrgRole(request, params.slug);
  return { org: { slug: org.slug, name: org.name, plan: org.plan, seatLimit: org.seatLimit }, role, isAdmin: roleAtLeast(role, "admin"), members: await countMembers(getDb(), org.id) };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.org.name ?? "Organization" }];

export default function OrgOverview() {
  const { org, role, isAdmin, members } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <h1>{org.name}</h1>
      <OrgNav slug={org.slug} name={org.name} isAdmin={isAdmin} />
      <dl>
        <dt>Plan</dt>
        <dd>{org.plan}</dd>
        <dt>Members</dt>
        <dd>
          {members}
          {org.seatLimit ? ` of ${org.seatLimit} seats` : ""}
        </dd>
        <dt>Your role</dt>
        <dd>{role}</dd>
      </dl>
      <p>
        <Link to="/orgs">All your organizations</Link>
      </p>
    </div>
  );
}
