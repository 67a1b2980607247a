// The org sidebar's items. The org frame (app/routes/orgs.$slug.tsx) renders
// them beside every org page; pages do not render navigation themselves.
import type { NavItem } from "./nav";

export function orgNavItems(slug: string, options: { isAdmin: boolean; billing: boolean }): NavItem[] {
  const base = `/orgs/${slug}`;
  return [
    { to: base, label: "Overview", end: true },
    { to: `${base}/members`, label: "Members" },
    ...(options.isAdmin
      ? [
          { to: `${base}/invitations`, label: "Invitations" },
          { to: `${base}/api-keys`, label: "API keys" },
          { to: `${base}/sso`, label: "Single sign-on" },
          { to: `${base}/audit`, label: "Audit history" },
          { to: `${base}/security`, label: "Security" },
          { to: `${base}/webhooks`, label: "Webhooks" },
          ...(options.billing ? [{ to: `${base}/billing`, label: "Billing" }] : []),
        ]
      : []),
    { to: `${base}/settings`, label: "Settings" },
  ];
}

/** @deprecated The org frame shows the sidebar now; kept so older pages still compile. Renders nothing. */
export function OrgNav(_props: { slug: string; name: string; isAdmin: boolean }) {
  return null;
}
