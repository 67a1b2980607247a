import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import type { WebhookEventStatus } from "../../db/schema";
import { requireOperator } from "~/.server/auth";
import { replayWebhookEvent } from "~/.server/billing/events";
import { RECONCILE_JOB, reconcileSubscriptions } from "~/.server/billing/reconcile";
import { billingMode, requireBillingAvailable } from "~/.server/billing/settings";
import { countWebhookEventsByStatus, listWebhookEvents } from "~/.server/billing/webhook-log";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { formFailure, readForm } from "~/.server/forms";
import { runExclusively } from "~/.server/jobs/exclusive";
import { Alert } from "~/components/alert";
import { StatusBadge } from "~/components/badge";
import { Button } from "~/components/button";
import { EmptyState } from "~/components/empty-state";
import { Tabs } from "~/components/nav";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { Table } from "~/components/table";

const WEBHOOK_STATUSES: readonly WebhookEventStatus[] = ["pending", "processing", "applied", "skipped", "failed"];
const ReplaySchema = z.object({ intent: z.literal("replay"), eventId: z.string().regex(/^\d{1,18}$/, "Unknown event.") });
const ReconcileSchema = z.object({ intent: z.literal("reconcile") });

export async function loader({ request }: LoaderFunctionArgs) {
  const mode = billingMode(getEnv());
  requireBillingAvailable(mode);
  await requireOperator(request);
  const requested = new URL(request.url).searchParams.get("status");
  const status = WEBHOOK_STATUSES.find((s) => s === requested);
  const db = getDb();
  const [events, counts] = await Promise.all([listWebhookEvents(db, { status }), countWebhookEventsByStatus(db)]);
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    configured: mode.kind === "on",
    status: status ?? null,
    counts,
    events: events.map((e) => ({ ...e, id: String(e.id), received_at: e.received_at.toISOString(), processed_at: iso(e.processed_at), next_attempt_at: e.next_attempt_at.toISOString() })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const mode = billingMode(getEnv());
  requireBillingAvailable(mode);
  await requireOperator(request);
  const intent = new URL(request.url).searchParams.get("intent");
  if (intent === "reconcile") {
    const form = await readForm(request, ReconcileSchema);
    if (!form.ok) return formFailure(form);
    if (mode.kind !== "on") return formFailure({ formError: "Billing is not configured on this installation." }, 409);
    const run = await runExclusively(getDb(), RECONCILE_JOB, (trx) => reconcileSubscriptions(trx, mode.settings));
    if (!run.ran) return formFailure({ formError: "A reconciliation is already running. Try again in a minute." }, 409);
    if (!run.result.ok) return formFailure({ formError: `Reconciliation failed: ${run.result.error}` }, 502);
    const r = run.result.value;
    const unlinked = r.unlinked.length > 0 ? ` ${r.unlinked.length} belong to no org here (${r.unlinked.join(", ")}).` : "";
    const problems = r.problems.length > 0 ? ` Problems: ${r.problems.slice(0, 3).join("; ")}.` : "";
    return { ok: true as const, message: `Reconciled ${r.listed} subscriptions: ${r.changed} updated, ${r.unchanged} already up to date.${unlinked}${problems}` };
  }
  const form = await readForm(request, ReplaySchema);
  if (!form.ok) return formFailure(form);
  const replayed = await replayWebhookEvent(getDb(), form.data.eventId);
  if (!replayed) return formFailure({ formError: "That event cannot be replayed (it is being applied now, or its payload was erased)." }, 409);
  return { ok: true as const, message: `Event #${form.data.eventId} is queued again; the worker applies it within seconds.` };
}

export const meta: MetaFunction = () => [{ title: "Webhook log" }];

const time = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 19) : "—");

export default function AdminWebhooks() {
  const { configured, status, counts, events } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <Page
      width="wide"
      title="Webhook log"
      description="Billing events from LemonSqueezy: each is verified, stored once, and applied by the worker. Replaying one applies it again; an older update never overrides a newer one."
      actions={
        configured ? (
          <Form method="post" action="?intent=reconcile">
            <input type="hidden" name="intent" value="reconcile" />
            <Button variant="secondary" pendingLabel="Reconciling…">
              Reconcile with LemonSqueezy now
            </Button>
          </Form>
        ) : undefined
      }
    >
      {!configured ? <Alert tone="info">Billing is not configured on this installation (no LEMONSQUEEZY_* settings), so no events arrive.</Alert> : null}
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {result && !result.ok ? <Alert tone="danger">{result.formError ?? "That did not work."}</Alert> : null}
      <Tabs
        label="Filter by status"
        current={status === null ? "/admin/webhooks" : `/admin/webhooks?status=${status}`}
        items={[{ to: "/admin/webhooks", label: "All" }, ...WEBHOOK_STATUSES.map((s: WebhookEventStatus) => ({ to: `/admin/webhooks?status=${s}`, label: `${s} (${counts[s]})` }))]}
      />
      {events.length === 0 ? (
        <EmptyState title={status ? `No ${status} events` : "No events yet"}>Events appear here as LemonSqueezy sends them.</EmptyState>
      ) : (
        <Table caption="Recent webhook events, newest first" stack>
          <thead>
            <tr>
              <th scope="col">Received</th>
              <th scope="col">Event</th>
              <th scope="col">Org</th>
              <th scope="col">Status</th>
              <th scope="col">Tries</th>
              <th scope="col">What happened</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <td data-label="Received">
                  <RelativeTime iso={event.received_at} />
                  <div className="muted small">
                    #{event.id}
                    {event.deliveries > 1 ? `, delivered ${event.deliveries}×` : ""}
                  </div>
                </td>
                <td data-label="Event">
                  <strong>{event.event_name}</strong>
                  {event.resource_id ? (
                    <div className="muted small">
                      {event.resource_type} {event.resource_id}
                    </div>
                  ) : null}
                </td>
                <td data-label="Org">{event.org_slug ? <Link to={`/orgs/${event.org_slug}`}>{event.org_slug}</Link> : "—"}</td>
                <td data-label="Status">
                  <span className="cluster">
                    <StatusBadge status={event.status} />
                    {event.status === "pending" && event.attempts > 0 ? <span className="muted small">next {time(event.next_attempt_at)}</span> : null}
                    {event.replayable && event.status !== "pending" && event.status !== "processing" ? (
                      <Form method="post" action="?intent=replay">
                        <input type="hidden" name="intent" value="replay" />
                        <input type="hidden" name="eventId" value={event.id} />
                        <Button variant="secondary" size="small" aria-label={`Replay event #${event.id} (${event.event_name})`}>
                          Replay
                        </Button>
                      </Form>
                    ) : null}
                  </span>
                </td>
                <td data-label="Tries">{event.attempts}</td>
                <td data-label="What happened">{event.error ? <span className="field__error">{event.error}</span> : (event.outcome ?? "")}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Page>
  );
}
