import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { getDb } from "~/.server/db";
import { requireOrgRole } from "~/.server/orgs/access";
import { actionChoices } from "~/.server/orgs/audit-actions";
import { actorChoices, findMemberByEmail, listAuditEvents, parseAuditFilter } from "~/.server/orgs/audit-history";
import { OrgNav } from "~/components/org-nav";

const PAGE_SIZE = 50;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const search = new URL(request.url).searchParams;
  const filter = parseAuditFilter(search);
  const db = getDb();
  // The actor filter picks a member by id; in an org too big to list them, by
  // their email, which is looked up here (an unknown one matches nothing).
  const actorText = search.get("actor")?.trim().slice(0, 320) ?? "";
  const typedActor = actorText && !filter.actorId ? await findMemberByEmail(db, org.id, actorText) : null;
  if (typedActor) filter.actorId = typedActor.id;
  const actorNotFound = actorText !== "" && !filter.actorId;
  const [page, actors] = await Promise.all([
    actorNotFound ? { events: [], nextCursor: null } : listAuditEvents(db, org.id, filter, { before: search.get("before") ?? undefined, limit: PAGE_SIZE }),
    actorChoices(db, org.id),
  ]);
  return {
    org: { slug: org.slug, name: org.name },
    actions: actionChoices(filter.action),
    /** The members to pick an actor from, or null when there are too many to list (then an email is typed). */
    actors,
    actorNotFound,
    filter: { action: filter.action ?? "", actor: actorText, from: search.get("from") ?? "", to: search.get("to") ?? "" },
    events: page.events.map((e) => ({ id: String(e.id), actor: e.actor_label, action: e.action, target: e.target, ip: e.ip, metadata: JSON.stringify(e.metadata), created_at: e.created_at.toISOString() })),
    nextCursor: page.nextCursor,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Audit history — ${data?.org.name ?? ""}` }];

export default function Audit() {
  const { org, actions, actors, actorNotFound, filter, events, nextCursor } = useLoaderData<typeof loader>();
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
        {actors ? (
          <select id="audit-actor" name="actor" defaultValue={filter.actor}>
            <option value="">anyone</option>
            {actors.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        ) : (
          <input id="audit-actor" name="actor" type="search" inputMode="email" placeholder="member's email" defaultValue={filter.actor} />
        )}
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
      {actorNotFound ? <p>No member of this organization has that email address.</p> : events.length === 0 ? <p>No events match.</p> : null}
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
