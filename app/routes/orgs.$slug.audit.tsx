import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Fragment } from "react";
import { billingMode } from "~/.server/billing/settings";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { requireOrgRole } from "~/.server/orgs/access";
import { actionChoices } from "~/.server/orgs/audit-actions";
import { actorChoices, findMemberByEmail, listAuditEvents, parseAuditFilter, presentAuditEvents, type AuditHistoryItem } from "~/.server/orgs/audit-history";
import { Button, ButtonLink } from "~/components/button";
import { Card } from "~/components/card";
import { EmptyState } from "~/components/empty-state";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { exactTimeText, RelativeTime } from "~/components/relative-time";
import { SelectField } from "~/components/select-field";
import { humanizeAction } from "~/utils/audit-sentence";

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
  const filtered = Boolean(filter.action || actorText || filter.from || filter.to);
  return {
    org: { slug: org.slug, name: org.name },
    actions: actionChoices(filter.action),
    /** The members to pick an actor from, or null when there are too many to list (then an email is typed). */
    actors,
    actorNotFound,
    // With a list to pick from, an email typed into the address shows as the member it names.
    filter: { action: filter.action ?? "", actor: actors && filter.actorId ? filter.actorId : actorText, from: search.get("from") ?? "", to: search.get("to") ?? "" },
    filtered,
    events: await presentAuditEvents(db, org, page.events, { billingPage: billingMode(getEnv()).kind !== "off" }),
    nextCursor: page.nextCursor,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Audit history — ${data?.org.name ?? ""}` }];

export default function Audit() {
  const { org, actions, actors, actorNotFound, filter, filtered, events, nextCursor } = useLoaderData<typeof loader>();
  const query = (extra: Record<string, string>) => new URLSearchParams({ ...filter, ...extra }).toString();
  const clear = <ButtonLink to={`/orgs/${org.slug}/audit`} variant="secondary">Clear filters</ButtonLink>;
  return (
    <Page
      title="Audit history"
      description="Who did what in this organization, newest first. Open an event for its details."
      width="wide"
      actions={
        <>
          <ButtonLink to={`/orgs/${org.slug}/audit?${query({ format: "csv" })}`} variant="secondary" size="small" reloadDocument>
            Export CSV
          </ButtonLink>
          <ButtonLink to={`/orgs/${org.slug}/audit?${query({ format: "json" })}`} variant="secondary" size="small" reloadDocument>
            Export JSON
          </ButtonLink>
        </>
      }
    >
      <div className="stack">
        <Card>
          <Form method="get" className="filters" aria-label="Filter events">
            <SelectField label="Action" name="action" id="audit-action" defaultValue={filter.action}>
              <option value="">Any action</option>
              {actions.map((a) => (
                <option key={a} value={a}>
                  {humanizeAction(a)}
                </option>
              ))}
            </SelectField>
            {actors ? (
              <SelectField label="Person" name="actor" id="audit-actor" defaultValue={filter.actor}>
                <option value="">Anyone</option>
                {actors.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.label}
                  </option>
                ))}
              </SelectField>
            ) : (
              <Field label="Person" name="actor" id="audit-actor" type="search" inputMode="email" placeholder="member's email" defaultValue={filter.actor} />
            )}
            <Field label="From" name="from" id="audit-from" type="date" defaultValue={filter.from} />
            <Field label="To" name="to" id="audit-to" type="date" defaultValue={filter.to} />
            <div className="form-actions">
              <Button variant="secondary">Filter</Button>
              {filtered ? <Link to={`/orgs/${org.slug}/audit`}>Clear filters</Link> : null}
            </div>
          </Form>
        </Card>
        {actorNotFound ? (
          <EmptyState title="No member of this organization has that email address" action={clear}>
            <p>Type the whole address of someone in this organization, or clear the filters.</p>
          </EmptyState>
        ) : events.length === 0 ? (
          filtered ? (
            <EmptyState title="No events match these filters" action={clear}>
              <p>Try a wider date range, or another action or person.</p>
            </EmptyState>
          ) : (
            <EmptyState title="Nothing has happened here yet">
              <p>Changes to members, invitations, API keys, billing and settings appear here, with who made them and when.</p>
            </EmptyState>
          )
        ) : (
          <Card>
            <ol className="link-list" aria-label="Audit events, newest first">
              {events.map((event) => (
                <AuditEvent key={event.id} event={event} />
              ))}
            </ol>
          </Card>
        )}
        {nextCursor ? (
          <p>
            <ButtonLink to={`/orgs/${org.slug}/audit?${query({ before: nextCursor })}`} variant="secondary">
              Older events
            </ButtonLink>
          </p>
        ) : null}
      </div>
    </Page>
  );
}

function AuditEvent({ event }: { event: AuditHistoryItem }) {
  const facts: Array<[string, string]> = [
    ["Action", event.action],
    ...(event.target ? [["Target", event.target] as [string, string]] : []),
    ["When", exactTimeText(new Date(event.createdAt))],
    ["IP address", event.ip ?? "not recorded"],
    ...Object.entries(event.metadata).map(([key, value]) => [key.replace(/_/g, " "), typeof value === "string" ? value : JSON.stringify(value)] as [string, string]),
  ];
  return (
    <li>
      <div className="link-list__main stack-sm">
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
        <p className="link-list__meta">
          <RelativeTime iso={event.createdAt} />
          {event.ip ? ` · from ${event.ip}` : ""}
        </p>
        <details>
          <summary className="small">Details</summary>
          <dl className="facts">
            {facts.map(([term, value]) => (
              <Fragment key={term}>
                <dt>{term}</dt>
                <dd>{value}</dd>
              </Fragment>
            ))}
          </dl>
        </details>
      </div>
    </li>
  );
}

function MaybeLink({ href, strong, children }: { href: string | null; strong?: boolean; children: string }) {
  if (href) return <Link to={href}>{strong ? <strong>{children}</strong> : children}</Link>;
  return strong ? <strong>{children}</strong> : <>{children}</>;
}
