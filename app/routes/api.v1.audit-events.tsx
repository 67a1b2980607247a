import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getDb } from "~/.server/db";
import { jsonError, nestsDeeperThan, readJson, requireApiKey } from "~/.server/http/api";
import { MAX_METADATA_BYTES, recordAuditEvent } from "~/.server/orgs/audit";
import { listAuditEvents } from "~/.server/orgs/audit-history";

// Deeper than any real event's metadata; bounds the work of every later walk of it.
const MAX_METADATA_DEPTH = 8;

// What a pushed event may hold: metadata about an action, never content.
const EventSchema = z.strictObject({
  action: z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,99}$/, "action: 1–100 lowercase letters, digits and _ . : -"),
  target: z.string().max(200).optional(),
  actor: z.string().min(1).max(200).optional(),
  occurred_at: z.iso.datetime({ offset: true, error: "occurred_at: an ISO 8601 date-time" }).optional(),
  metadata: z
    .record(z.string().max(100), z.unknown())
    // Depth first: measuring the size serialises the value, which a deep enough one overflows.
    .superRefine((value, ctx) => {
      if (nestsDeeperThan(value, MAX_METADATA_DEPTH)) {
        ctx.addIssue({ code: "custom", message: `metadata: nested at most ${MAX_METADATA_DEPTH} levels deep` });
      } else if (Buffer.byteLength(JSON.stringify(value)) > MAX_METADATA_BYTES) {
        ctx.addIssue({ code: "custom", message: `metadata: at most ${MAX_METADATA_BYTES} bytes of JSON` });
      }
    })
    .optional(),
});

// GET /api/v1/audit-events?cursor=<id>&limit=<1..100>: newest first.
export async function loader({ request }: LoaderFunctionArgs) {
  const principal = await requireApiKey(request);
  const params = new URL(request.url).searchParams;
  const limit = Number(params.get("limit") ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return jsonError(400, "limit must be a whole number from 1 to 100.");
  const cursor = params.get("cursor") ?? undefined;
  if (cursor !== undefined && !/^\d{1,18}$/.test(cursor)) return jsonError(400, "cursor must be the next_cursor of an earlier page.");
  const page = await listAuditEvents(getDb(), principal.orgId, {}, { before: cursor, limit });
  return Response.json(
    {
      events: page.events.map((e) => ({
        id: String(e.id),
        action: e.action,
        actor: e.actor_label,
        target: e.target,
        ip: e.ip,
        metadata: e.metadata,
        created_at: e.created_at.toISOString(),
      })),
      next_cursor: page.nextCursor,
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

// POST /api/v1/audit-events: the vendor's CLI and servers add to the history.
export async function action({ request, context }: ActionFunctionArgs) {
  if (request.method !== "POST") return jsonError(405, "Use GET to read events or POST to add one.");
  const principal = await requireApiKey(request);
  const body = await readJson(request);
  if (!body.ok) return body.response;
  const parsed = EventSchema.safeParse(body.value);
  if (!parsed.success) {
    const details = Object.fromEntries(parsed.error.issues.map((issue) => [issue.path.join(".") || "body", issue.message]));
    return jsonError(400, "The event is not valid.", details);
  }
  const event = parsed.data;
  await recordAuditEvent(getDb(), {
    orgId: principal.orgId,
    actor: { userId: null, label: event.actor ?? principal.label },
    action: event.action,
    target: event.target ?? null,
    ip: context.clientIp,
    // Which key pushed it is always recorded, whatever actor it names.
    metadata: { ...(event.metadata ?? {}), via: principal.label },
    at: event.occurred_at ? new Date(event.occurred_at) : undefined,
  });
  return Response.json({ ok: true }, { status: 201 });
}
