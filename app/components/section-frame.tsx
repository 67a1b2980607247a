// The sidebars of the Settings and Admin sections, chosen by the shell from the
// address. (Not layout routes: a layout route at /settings would take the POSTs
// that /settings?intent=... sends to the settings page itself.) An org's pages
// get theirs from their own frame, app/routes/orgs.$slug.tsx, which knows the role.
import type { ReactNode } from "react";
import { SectionLayout, type NavItem } from "./nav";
import type { ShellUser } from "./site-layout";

const SETTINGS: NavItem[] = [
  { to: "/settings", label: "Profile", end: true },
  { to: "/settings/security", label: "Security" },
  { to: "/settings/sessions", label: "Sessions" },
  { to: "/settings/apps", label: "Apps and devices" },
  { to: "/settings/export", label: "Your data" },
  { to: "/settings/delete-account", label: "Delete account" },
];

function adminItems(billing: boolean): NavItem[] {
  return [
    { to: "/admin", label: "Overview", end: true },
    { to: "/admin/users", label: "Users" },
    { to: "/admin/waitlist", label: "Waitlist" },
    { to: "/admin/emails", label: "Emails" },
    // The webhook log exists only where billing does (hosted mode).
    ...(billing ? [{ to: "/admin/webhooks", label: "Webhooks" }] : []),
    { to: "/admin/events", label: "Events" },
    { to: "/admin/notices", label: "Notices" },
    { to: "/admin/apps", label: "Apps" },
  ];
}

const within = (pathname: string, section: string) => pathname === section || pathname.startsWith(`${section}/`);

export function SectionFrame({ pathname, user, billing, children }: { pathname: string; user: ShellUser; billing: boolean; children: ReactNode }) {
  const fullAccount = user !== null && user.emailVerified && !user.deletionPending;
  if (fullAccount && within(pathname, "/settings")) {
    return (
      <SectionLayout title="Settings" navLabel="Settings" items={SETTINGS}>
        {children}
      </SectionLayout>
    );
  }
  // Only operators: everyone else gets a plain 404 page there, with no hint of a console.
  if (fullAccount && user.isOperator && within(pathname, "/admin")) {
    return (
      <SectionLayout title="Operator console" navLabel="Admin" items={adminItems(billing)}>
        {children}
      </SectionLayout>
    );
  }
  return <>{children}</>;
}
