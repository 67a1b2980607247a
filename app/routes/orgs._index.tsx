import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { listUserOrgs } from "~/.server/orgs/orgs";
import { ButtonLink } from "~/components/button";
import { Card } from "~/components/card";
import { EmptyState } from "~/components/empty-state";
import { BuildingIcon } from "~/components/icons";
import { OrgList } from "~/components/org-list";
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
          <OrgList orgs={orgs} />
        </Card>
      )}
    </Page>
  );
}
