import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { billingMode } from "~/.server/billing/settings";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { requireOrgRole } from "~/.server/orgs/access";
import { distinctActions, listAuditEvents, parseAuditFilter } from "~/.server/orgs/audit";
import { presentAuditEvents, type AuditHistoryItem } from "~/.server/orgs/audit-history";
import { OrgNav } from "~/components/org-nav";
import { humanizeAction } from "~/utils/audit-sentence";

const PAGE_SIZE = 50;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const search = new URL(request.url).searchParams;
  const filter = parseAuditFilter(search);
  const db = getDb();
  const page = await listAuditEvents(db, org.id, filter, { before: search.get("before") ?? undefined, limit: PAGE_SIZE });
  const filtered = Boolean(filter.action || filter.actor || filter.from || filter.to);
  return {
    org: { slug: org.slug, name: org.name },
    actions: await distinctActions(db, org.id),
    filter: { action: filter.action ?? "", actor: filter.actor ?? "", from: search.get("from") ?? "", to: search.get("to") ?? "" },
    filtered,
    events: await presentAuditEvents(db, org, page.events, { billingPage: billingMode(getEnv()).kind !== "off" }),
    nextCursor: page.nextCursor,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Audit history — ${data?.org.name ?? ""}` }];

const exactTime = (iso: string) => iso.replace("T", " ").slice(0, 19) + " UTC";

export default function Audit() {
  const { org, actions, filter, filtered, events, nextCursor } = useLoaderData<typeof loader>();
  const query = (extra: Record<string, string>) => new URLSearchParams({ ...filter, ...extra }).toString();
  return (
    <div className="stack wide">
      <h1>{org.name}: audit history</h1>
      <OrgNav slug={org.slug} name={org.name} isAdmin />
      <p>Who did what in this organization, newest first. Open an event for its details.</p>
      <Form method="get" className="toolbar" aria-label="Filter events">
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" name="action" defaultValue={filter.action}>
            <option value="">Any action</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {humanizeAction(a)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-actor">Person</label>
          <input id="audit-actor" name="actor" type="search" defaultValue={filter.actor} />
        </div>
        <div className="field">
          <label htmlFor="audit-from">From</label>
          <input id="audit-from" name="from" type="date" defaultValue={filter.from} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">To</label>
          <input id="audit-to" name="to" type="date" defaultValue={filter.to} />
        </div>
        <button type="submit" className="button secondary">
          Filter
        </button>
        {filtered ? <Link to={`/orgs/${org.slug}/audit`}>Clear filters</Link> : null}
      </Form>
      <p>
        Export {filtered ? "these events" : "everything"}: <a href={`/orgs/${org.slug}/audit?${query({ format: "csv" })}`}>CSV</a> · <a href={`/orgs/${org.slug}/audit?${query({ format: "json" })}`}>JSON</a>
      </p>
      {events.length === 0 ? <p>{filtered ? "No events match these filters." : "Nothing has happened in this organization yet. Changes to members, invitations, API keys and billing appear here."}</p> : null}
      {events.length > 0 ? (
        <ol className="stack" aria-label="Audit events, newest first" style={{ listStyle: "none", padding: 0 }}>
          {events.map((event) => (
            <AuditEvent key={event.id} event={event} />
          ))}
        </ol>
      ) : null}
      {nextCursor ? <Link to={`/orgs/${org.slug}/audit?${query({ before: nextCursor })}`}>Older events</Link> : null}
    </div>
  );
}

function AuditEvent({ event }: { event: AuditHistoryItem }) {
  const details = Object.entries(event.metadata);
  return (
    <li className="panel">
      <p>
        <MaybeLink href={event.actor.href}>{event.actor.label}</MaybeLink> {event.verb}
        {event.object ? (
          <>
            {" "}
            <MaybeLink href={event.object.href} strong>
              {event.object.label}
            </MaybeLink>
          </>
        ) : null}
        {event.tail}
      </p>
      <p className="hint">
        <time dateTime={event.createdAt} title={exactTime(event.createdAt)}>
          {exactTime(event.createdAt)}
        </time>
        {event.ip ? ` · from ${event.ip}` : ""}
      </p>
      <details>
        <summary>Details</summary>
        <dl style={{ overflowWrap: "anywhere" }}>
          {[["Action", event.action] as const, ...(event.target ? [["Target", event.target] as const] : []), ["IP address", event.ip ?? "not recorded"] as const, ...details.map(([key, value]) => [key.replace(/_/g, " "), typeof value === "string" ? value : JSON.stringify(value)] as const)].map(([term, value]) => (
            <div key={term}>
              <dt>{term}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </details>
    </li>
  );
}

function MaybeLink({ href, strong, children }: { href: string | null; strong?: boolean; children: string }) {
  if (href) return <Link to={href}>{strong ? <strong>{children}</strong> : children}</Link>;
  return strong ? <strong>{children}</strong> : <>{children}</>;
}
