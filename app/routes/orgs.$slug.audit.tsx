import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { getDb } from "~/.server/db";
import { requireOrgRole } from "~/.server/orgs/access";
import { distinctActions, listAuditEvents, type AuditFilter } from "~/.server/orgs/audit";
import { OrgNav } from "~/components/org-nav";
import { toCsv } from "~/utils/csv";

const PAGE_SIZE = 50;
const EXPORT_LIMIT = 50_000;

function parseDate(value: string | null, endOfDay = false): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return undefined;
  return endOfDay ? new Date(date.getTime() + 86_400_000) : date;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const search = new URL(request.url).searchParams;
  const filter: AuditFilter = {
    action: search.get("action")?.slice(0, 100) || undefined,
    actor: search.get("actor")?.slice(0, 200) || undefined,
    from: parseDate(search.get("from")),
    to: parseDate(search.get("to"), true),
  };
  const db = getDb();
  const format = search.get("format");
  if (format === "csv" || format === "json") {
    const { events } = await listAuditEvents(db, org.id, filter, { limit: EXPORT_LIMIT });
    const rows = events.map((e) => ({ id: String(e.id), created_at: e.created_at.toISOString(), actor: e.actor_label, action: e.action, target: e.target, ip: e.ip, metadata: e.metadata }));
    const filename = `audit-${org.slug}-${new Date().toISOString().slice(0, 10)}.${format}`;
    const body = format === "json" ? JSON.stringify(rows, null, 2) : toCsv(["id", "time", "actor", "action", "target", "ip", "metadata"], rows.map((r) => [r.id, r.created_at, r.actor, r.action, r.target, r.ip, JSON.stringify(r.metadata)]));
    return new Response(body, {
      headers: {
        "Content-Type": format === "json" ? "application/json; charset=utf-8" : "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${filename}"`,
        "Cache-Control": "no-store",
      },
    });
  }
  const page = await listAuditEvents(db, org.id, filter, { before: search.get("before") ?? undefined, limit: PAGE_SIZE });
  return {
    org: { slug: org.slug, name: org.name },
    actions: await distinctActions(db, org.id),
    filter: { action: filter.action ?? "", actor: filter.actor ?? "", from: search.get("from") ?? "", to: search.get("to") ?? "" },
    events: page.events.map((e) => ({ id: String(e.id), actor: e.actor_label, action: e.action, target: e.target, ip: e.ip, metadata: JSON.stringify(e.metadata), created_at: e.created_at.toISOString() })),
    nextCursor: page.nextCursor,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Audit history — ${data && "org" in data ? data.org.name : ""}` }];

// The loader answers a file for ?format=csv|json; the page itself gets the rest.
type PageData = Exclude<Awaited<ReturnType<typeof loader>>, Response>;

export default function Audit() {
  const { org, actions, filter, events, nextCursor } = useLoaderData<typeof loader>() as unknown as PageData;
  const query = (extra: Record<string, string>) => new URLSearchParams({ ...filter, ...extra }).toString();
  return (
    <div className="stack wide">
      <h1>{org.name}: audit history</h1>
      <OrgNav slug={org.slug} name={org.name} isAdmin />
      <Form method="get" className="toolbar">
        <label htmlFor="audit-action">Action</label>
        <select id="audit-action" name="action" defaultValue={filter.action}>
          <option value="">any</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
        <label htmlFor="audit-actor">Actor</label>
        <input id="audit-actor" name="actor" type="search" defaultValue={filter.actor} />
        <label htmlFor="audit-from">From</label>
        <input id="audit-from" name="from" type="date" defaultValue={filter.from} />
        <label htmlFor="audit-to">To</label>
        <input id="audit-to" name="to" type="date" defaultValue={filter.to} />
        <button type="submit" className="button secondary">
          Filter
        </button>
      </Form>
      <p>
        Export: <a href={`/orgs/${org.slug}/audit?${query({ format: "csv" })}`}>CSV</a> · <a href={`/orgs/${org.slug}/audit?${query({ format: "json" })}`}>JSON</a>
      </p>
      {events.length === 0 ? <p>No events match.</p> : null}
      {events.length > 0 ? (
        <table>
          <caption className="visually-hidden">Audit events, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time (UTC)</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">IP</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{e.created_at.replace("T", " ").slice(0, 19)}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>{e.target ?? ""}</td>
                <td>{e.ip ?? ""}</td>
                <td>
                  <small>{e.metadata === "{}" ? "" : e.metadata}</small>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {nextCursor ? <Link to={`/orgs/${org.slug}/audit?${query({ before: nextCursor })}`}>Older events</Link> : null}
    </div>
  );
}
