import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Fragment } from "react";
import { z } from "zod";
import { billingMode } from "~/.server/billing/settings";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { formFailure, readForm } from "~/.server/forms";
import { requireOrgRole } from "~/.server/orgs/access";
import { actionChoices } from "~/.server/orgs/audit-actions";
import { verifyAuditChain } from "~/.server/orgs/audit-chain/verify";
import { actorChoices, findMemberByEmail, listAuditEvents, parseAuditFilter, presentAuditEvents, type AuditHistoryItem } from "~/.server/orgs/audit-history";
import { Alert } from "~/components/alert";
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

const VerifySchema = z.object({ intent: z.literal("verify", { error: "This form can only verify the history." }) });

// "Verify": recomputes the org's hash chain (docs/audit.md) and says whether
// it holds, or which event is the first that does not match. Reads only; a
// plain form POST, so it works without JavaScript.
export async function action({ request, params }: ActionFunctionArgs) {
  const { org } = await requireOrgRole(request, params.slug, "admin");
  const form = await readForm(request, VerifySchema);
  if (!form.ok) return formFailure(form);
  const report = await verifyAuditChain(getDb(), org.id);
  return { ok: true as const, verification: report };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Audit history — ${data?.org.name ?? ""}` }];

export default function Audit() {
  const { org, actions, actors, actorNotFound, filter, filtered, events, nextCursor } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const verifying = useNavigation().formData?.get("intent") === "verify";
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
          <Form method="post" action={`/orgs/${org.slug}/audit`}>
            <input type="hidden" name="intent" value="verify" />
            <Button variant="secondary" size="small" disabled={verifying}>
              {verifying ? "Verifying…" : "Verify"}
            </Button>
          </Form>
        </>
      }
    >
      <div className="stack">
        {result ? result.ok ? <VerificationResult report={result.verification} /> : <Alert tone="danger">{result.formError ?? "This form could not be read."}</Alert> : null}
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

type Verification = Awaited<ReturnType<typeof verifyAuditChain>>;

function VerificationResult({ report }: { report: Verification }) {
  const before = report.unchained > 0 ? ` ${report.unchained.toLocaleString("en")} older event${report.unchained === 1 ? "" : "s"} from before the chain existed ${report.unchained === 1 ? "is" : "are"} not covered.` : "";
  if (report.failure) {
    const which = report.failure.id ? `Event #${report.failure.id} (number ${report.failure.seq} in the chain)` : `Event number ${report.failure.seq} in the chain`;
    return (
      <Alert tone="danger" title="The history does not verify">
        <p>
          {which} is the first that does not match: {report.failure.reason}. {report.checked.toLocaleString("en")} event{report.checked === 1 ? "" : "s"} before it verified.
        </p>
        <p>Someone with access to the database may have changed the history. Keep an export and tell your operator.</p>
      </Alert>
    );
  }
  if (report.headSeq === null) return <Alert tone="info" title="Nothing to verify yet">{`No event has been recorded since the history became verifiable.${before}`}</Alert>;
  return (
    <Alert tone="success" title="The history verifies">
      <p>
        {report.checked.toLocaleString("en")} event{report.checked === 1 ? "" : "s"} checked, from number {report.startSeq} to {report.headSeq} in the chain
        {report.erasedValues > 0 ? ` (${report.erasedValues.toLocaleString("en")} personal value${report.erasedValues === 1 ? "" : "s"} since erased, as people left or were deleted)` : ""}.{before}
      </p>
      <p className="small">
        Latest hash: <code>{report.headHash}</code>
      </p>
    </Alert>
  );
}
