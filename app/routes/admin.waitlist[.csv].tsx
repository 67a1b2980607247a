import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { textStream } from "~/.server/http/streaming";
import { parseWaitlistQuery, waitlistBatches } from "~/.server/waitlist/admin";
import { csvCell } from "~/utils/csv";

const HEADER = ["email", "name", "company", "joined", "confirmed", "invited", "ip", "user agent"];

// /admin/waitlist.csv: the same search and filter as the page, every row,
// streamed in batches (flat memory at any size).
export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  const batches = waitlistBatches(getDb(), parseWaitlistQuery(new URL(request.url).searchParams));
  async function* lines() {
    yield HEADER.map(csvCell).join(",") + "\r\n";
    for await (const batch of batches) {
      yield batch.map((r) => [r.email, r.name, r.company, r.created_at, r.confirmed_at, r.invited_at, r.ip, r.user_agent].map(csvCell).join(",") + "\r\n").join("");
    }
  }
  return new Response(textStream(lines()), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="waitlist-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
