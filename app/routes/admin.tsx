// The frame of every /admin page: the operator console's sidebar. Each page
// checks for an operator itself (non-operators get a 404, shown by the root
// error page, without this frame).
import { Outlet } from "@remix-run/react";
import { SectionLayout, type NavItem } from "~/components/nav";

const ITEMS: NavItem[] = [
  { to: "/admin", label: "Overview", end: true },
  { to: "/admin/users", label: "Users" },
  { to: "/admin/waitlist", label: "Waitlist" },
  { to: "/admin/emails", label: "Emails" },
  { to: "/admin/webhooks", label: "Webhooks" },
  { to: "/admin/notices", label: "Notices" },
];

export default function AdminFrame() {
  return (
    <SectionLayout title="Operator console" navLabel="Admin" items={ITEMS}>
      <Outlet />
    </SectionLayout>
  );
}
