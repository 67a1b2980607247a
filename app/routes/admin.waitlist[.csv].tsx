import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { exportWaitlist, parseWaitlistQuery } from "~/.server/waitlist/admin";
import { toCsv } from "~/utils/csv";

// /admin/waitlist.csv: the same search and filter as the page, every row.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  const rows = await exportWaitlist(getDb(), parseWaitlistQuery(new URL(request.url).searchParams));
  const csv = toCsv(
    ["email", "name", "company", "joined", "confirmed", "invited", "ip", "user agent"],
    rows.map((r) => [r.email, r.name, r.company, r.created_at, r.confirmed_at, r.invited_at, r.ip, r.user_agent]),
  );
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="waitlist-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
