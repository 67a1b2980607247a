// The frame of every /admin page: the operator console's sidebar. Each page
// checks for an operator itself (non-operators get a 404, shown by the root
// error page, without this frame).
import { Outlet, useLoaderData } from "@remix-run/react";
import { billingMode } from "~/.server/billing/settings";
import { getEnv } from "~/.server/env";
import { SectionLayout, type NavItem } from "~/components/nav";

export function loader() {
  // The webhook log exists only where billing does (hosted mode).
  return { billing: billingMode(getEnv()).kind !== "off" };
}

export default function AdminFrame() {
  const { billing } = useLoaderData<typeof loader>();
  const items: NavItem[] = [
    { to: "/admin", label: "Overview", end: true },
    { to: "/admin/users", label: "Users" },
    { to: "/admin/waitlist", label: "Waitlist" },
    { to: "/admin/emails", label: "Emails" },
    ...(billing ? [{ to: "/admin/webhooks", label: "Webhooks" }] : []),
    { to: "/admin/notices", label: "Notices" },
  ];
  return (
    <SectionLayout title="Operator console" navLabel="Admin" items={items}>
      <Outlet />
    </SectionLayout>
  );
}
