import { NavLink, useRouteLoaderData } from "@remix-run/react";

/** The org frame's loader data (app/routes/orgs.$slug.tsx): the Billing tab exists only where billing does. */
type OrgFrameData = { billingLink: string | null };

/** The tabs of an org's pages; admin-only ones are shown to admins and owners. */
export function OrgNav({ slug, name, isAdmin }: { slug: string; name: string; isAdmin: boolean }) {
  const frame = useRouteLoaderData("routes/orgs.$slug") as OrgFrameData | undefined;
  const tabs = [
    { to: `/orgs/${slug}`, label: "Overview", end: true },
    { to: `/orgs/${slug}/members`, label: "Members" },
    ...(isAdmin
      ? [
          { to: `/orgs/${slug}/invitations`, label: "Invitations" },
          { to: `/orgs/${slug}/api-keys`, label: "API keys" },
          { to: `/orgs/${slug}/audit`, label: "Audit history" },
          ...(frame?.billingLink ? [{ to: frame.billingLink, label: "Billing" }] : []),
        ]
      : []),
  ];
  return (
    <nav aria-label={`${name} sections`} className="tabs">
      {tabs.map((tab) => (
        <NavLink key={tab.to} to={tab.to} end={tab.end}>
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}
