// Home after sign-in (also "/" for a signed-in person): your organizations with
// role and plan, the invitations waiting for you, and the next step when there
// is one (verify the email address, create or join an organization).
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { listInvitationsForEmail } from "~/.server/orgs/my-invitations";
import { listUserOrgs } from "~/.server/orgs/orgs";
import { Alert } from "~/components/alert";
import { RoleBadge } from "~/components/badge";
import { ButtonLink } from "~/components/button";
import { Card } from "~/components/card";
import { EmptyState } from "~/components/empty-state";
import { BuildingIcon } from "~/components/icons";
import { OrgList } from "~/components/org-list";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";

export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUser(request, { allowUnverified: true });
  const db = getDb();
  const [orgs, invitations] = user.emailVerified ? await Promise.all([listUserOrgs(db, user.id), listInvitationsForEmail(db, user.email)]) : [[], []];
  return {
    name: user.name,
    email: user.email,
    verified: user.emailVerified,
    orgs,
    invitations: invitations.map((i) => ({ ...i, expires_at: i.expires_at.toISOString() })),
  };
}

export const meta: MetaFunction = () => [{ title: "Home" }];

export default function Home() {
  const { name, email, verified, orgs, invitations } = useLoaderData<typeof loader>();
  const greeting = name ? `Welcome, ${name.split(/\s+/)[0]}` : "Welcome";
  return (
    <Page title={greeting} description={`Signed in as ${email}.`}>
      {!verified ? (
        <Alert tone="warning" title="Next step: confirm your email address">
          <p>We sent a code to {email}. Confirming it unlocks organizations and settings.</p>
          <p>
            <ButtonLink to="/verify-email">Enter the code</ButtonLink>
          </p>
        </Alert>
      ) : null}
      {invitations.length > 0 ? (
        <Card title="Invitations for you" description="Open the link in the invitation email to join; it also proves the address is yours.">
          <ul className="link-list">
            {invitations.map((invitation) => (
              <li key={invitation.id}>
                <span className="link-list__main">
                  <strong>{invitation.orgName}</strong>
                  <span className="link-list__meta">
                    From {invitation.inviterName ?? invitation.inviterEmail ?? "an admin"} · expires <RelativeTime iso={invitation.expires_at} />
                  </span>
                </span>
                <RoleBadge role={invitation.role} />
              </li>
            ))}
          </ul>
        </Card>
      ) : null}
      {verified && orgs.length === 0 ? (
        <EmptyState title="Next step: create or join an organization" icon={<BuildingIcon className="empty-state__icon" />} action={<ButtonLink to="/orgs/new">Create an organization</ButtonLink>}>
          An organization holds your team, its API keys and its audit history. To join an existing one, ask one of its admins to invite {email}.
        </EmptyState>
      ) : null}
      {orgs.length > 0 ? (
        <Card title="Your organizations" actions={<ButtonLink to="/orgs/new" variant="secondary" size="small">New organization</ButtonLink>}>
          <OrgList orgs={orgs} />
        </Card>
      ) : null}
      {verified ? (
        <Card title="Your account">
          <ul className="link-list">
            <li>
              <span className="link-list__main">
                <Link to="/settings">Settings</Link>
                <span className="link-list__meta">Name, email address and password.</span>
              </span>
            </li>
            <li>
              <span className="link-list__main">
                <Link to="/settings/sessions">Sessions</Link>
                <span className="link-list__meta">Where you are signed in.</span>
              </span>
            </li>
            <li>
              <span className="link-list__main">
                <Link to="/settings/export">Your data</Link>
                <span className="link-list__meta">Download everything we store about you, or delete your account.</span>
              </span>
            </li>
          </ul>
        </Card>
      ) : null}
    </Page>
  );
}
