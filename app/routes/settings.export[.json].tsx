import type { LoaderFunctionArgs } from "@remix-run/node";
import { exportUserDocument } from "~/.server/accounts/export";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { textStream } from "~/.server/http/streaming";
import { consumeRateLimit } from "~/.server/rate-limit";

// Building the file reads every table that names the person: fine now and
// then, not in a loop.
const EXPORT_LIMIT = { limit: 5, windowSeconds: 3600 };

// /settings/export.json: the download itself. A resource route, so the file
// goes out exactly as built (a page route's loader Response would be rendered),
// streamed as it is read: flat memory however long the person's history.
export async function loader({ request }: LoaderFunctionArgs) {
  const { user } = await requireUser(request);
  const db = getDb();
  const allowance = await consumeRateLimit(db, `export:user:${user.id}`, EXPORT_LIMIT);
  if (!allowance.allowed) {
    const minutes = Math.ceil(allowance.retryAfterSeconds / 60);
    return new Response(`You have downloaded your data ${EXPORT_LIMIT.limit} times this hour. Please try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.\n`, {
      status: 429,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": String(allowance.retryAfterSeconds), "Cache-Control": "no-store" },
    });
  }
  const now = new Date();
  return new Response(textStream(exportUserDocument(db, user.id, now)), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="gatehouse-export-${now.toISOString().slice(0, 10)}.json"`,
      "Cache-Control": "no-store",
    },
  });
}
