import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/.server/db";
import { requireOrgRole } from "~/.server/orgs/access";
import { listAuditEvents, parseAuditFilter } from "~/.server/orgs/audit";
import { toCsv } from "~/utils/csv";

const EXPORT_LIMIT = 50_000;

// The audit history as a file. The public address is /orgs/:slug/audit?format=csv|json
// (remix-handler.ts sends those requests here): a page route cannot answer a
// download, so the file comes from this component-less route.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const search = new URL(request.url).searchParams;
  const format = search.get("format") === "json" ? "json" : "csv";
  const { events } = await listAuditEvents(getDb(), org.id, parseAuditFilter(search), { limit: EXPORT_LIMIT });
  const rows = events.map((e) => ({ id: String(e.id), created_at: e.created_at.toISOString(), actor: e.actor_label, action: e.action, target: e.target, ip: e.ip, metadata: e.metadata }));
  const body =
    format === "json"
      ? JSON.stringify(rows, null, 2)
      : toCsv(["id", "time", "actor", "action", "target", "ip", "metadata"], rows.map((r) => [r.id, r.created_at, r.actor, r.action, r.target, r.ip, JSON.stringify(r.metadata)]));
  return new Response(body, {
    headers: {
      "Content-Type": format === "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${org.slug}-${new Date().toISOString().slice(0, 10)}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
}
