// The frame of every /settings page: the Settings sidebar. Each page checks
// who is asking itself; during a deletion's grace period only the deletion
// page is open, so the sidebar is left out.
import { Outlet, useRouteLoaderData } from "@remix-run/react";
import { SectionLayout, type NavItem } from "~/components/nav";
import type { loader as rootLoader } from "~/root";

const ITEMS: NavItem[] = [
  { to: "/settings", label: "Profile", end: true },
  { to: "/settings/security", label: "Security" },
  { to: "/settings/sessions", label: "Sessions" },
  { to: "/settings/export", label: "Your data" },
  { to: "/settings/delete-account", label: "Delete account" },
];

export default function SettingsFrame() {
  const root = useRouteLoaderData<typeof rootLoader>("root");
  if (!root?.user || root.user.deletionPending || !root.user.emailVerified) return <Outlet />;
  return (
    <SectionLayout title="Settings" navLabel="Settings" items={ITEMS}>
      <Outlet />
    </SectionLayout>
  );
}
