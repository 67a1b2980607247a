import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { listUserOrgs } from "~/.server/orgs/orgs";
import { PlanBadge, RoleBadge } from "~/components/badge";
import { ButtonLink } from "~/components/button";
import { Card } from "~/components/card";
import { EmptyState } from "~/components/empty-state";
import { BuildingIcon } from "~/components/icons";
import { Page } from "~/components/page";

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUser(request);
  return { orgs: await listUserOrgs(getDb(), user.id) };
}

export const meta: MetaFunction = () => [{ title: "Your organizations" }];

export default function Orgs() {
  const { orgs } = useLoaderData<typeof loader>();
  return (
    <Page title="Your organizations" actions={<ButtonLink to="/orgs/new">Create an organization</ButtonLink>}>
      {orgs.length === 0 ? (
        <EmptyState title="You are not in any organization yet" icon={<BuildingIcon className="empty-state__icon" />} action={<ButtonLink to="/orgs/new">Create an organization</ButtonLink>}>
          Create one for your team, or ask a teammate to invite you: the invitation arrives by email.
        </EmptyState>
      ) : (
        <Card>
          <ul className="link-list">
            {orgs.map((org) => (
              <li key={org.slug}>
                <span className="link-list__main">
                  <Link to={`/orgs/${org.slug}`}>{org.name}</Link>
                  <span className="link-list__meta">/orgs/{org.slug}</span>
                </span>
                <span className="cluster">
                  <PlanBadge plan={org.plan} />
                  <RoleBadge role={org.role} />
                </span>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </Page>
  );
}
