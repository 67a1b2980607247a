import type { LoaderFunctionArgs } from "@remix-run/node";
import { getDb } from "~/.server/db";
import { textStream } from "~/.server/http/streaming";
import { requireOrgRole } from "~/.server/orgs/access";
import { exportedChainFields, orgChainKey } from "~/.server/orgs/audit-chain/export";
import { auditEventBatches, parseAuditFilter, type AuditExportRow } from "~/.server/orgs/audit-history";
import { csvCell } from "~/utils/csv";

const CSV_HEADER = ["id", "time", "actor", "action", "target", "ip", "metadata"];

async function* csvChunks(batches: AsyncIterable<AuditExportRow[]>): AsyncGenerator<string> {
  yield CSV_HEADER.map(csvCell).join(",") + "\r\n";
  for await (const batch of batches) {
    yield batch.map((r) => [r.id, r.created_at, r.actor, r.action, r.target, r.ip, r.metadataJson].map(csvCell).join(",") + "\r\n").join("");
  }
}

// A JSON array, one event per line. Built as text: the metadata is already
// JSON (as PostgreSQL stored it), so it is written as it came. Each event
// carries its place in the org's hash chain and what verifying it offline
// needs (docs/audit.md).
async function* jsonChunks(batches: AsyncIterable<AuditExportRow[]>, orgKey: Buffer | null): AsyncGenerator<string> {
  let first = true;
  yield "[";
  for await (const batch of batches) {
    const lines = batch.map((r) => {
      const chained = exportedChainFields(orgKey, r);
      return `{"id":${JSON.stringify(r.id)},"seq":${chained.seq},"created_at":${JSON.stringify(r.created_at)},"actor_id":${chained.actorId},"actor":${JSON.stringify(r.actor)},"action":${JSON.stringify(r.action)},"target":${JSON.stringify(r.target)},"ip":${JSON.stringify(r.ip)},"metadata":${r.metadataJson},"chain":${chained.chain}}`;
    });
    yield (first ? "\n" : ",\n") + lines.join(",\n");
    first = false;
  }
  yield first ? "]\n" : "\n]\n";
}

// The audit history as a file, every matching event, streamed in batches (no
// cap, flat memory: docs/scale.md). The public address is
// /orgs/:slug/audit?format=csv|json (remix-handler.ts sends those requests
// here): a page route cannot answer a download, so the file comes from this
// component-less route. A database failure halfway aborts the transfer, so a
// partial file is never taken for a whole one.
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const search = new URL(request.url).searchParams;
  const format = search.get("format") === "json" ? "json" : "csv";
  const batches = auditEventBatches(getDb(), org.id, parseAuditFilter(search));
  const body = textStream(format === "json" ? jsonChunks(batches, await orgChainKey(getDb(), org.id)) : csvChunks(batches));
  return new Response(body, {
    headers: {
      "Content-Type": format === "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${org.slug}-${new Date().toISOString().slice(0, 10)}.${format}"`,
      "Cache-Control": "no-store",
    },
  });
}
