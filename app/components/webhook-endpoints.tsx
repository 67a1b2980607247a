// The body of both endpoint pages (/admin/events and /orgs/:slug/webhooks):
// the secret shown once, the form to add an endpoint, and each endpoint with
// its recent deliveries. Works without JavaScript: plain forms, and
// ConfirmAction's confirmation step for deleting and rotating.
import { Form } from "@remix-run/react";
import { EVENT_TYPE_DESCRIPTIONS, type EventType } from "~/utils/event-types";
import { Alert } from "./alert";
import { Badge, StatusBadge } from "./badge";
import { Button } from "./button";
import { Card } from "./card";
import { ConfirmAction } from "./confirm-action";
import { CopyButton } from "./copy-button";
import { EmptyState } from "./empty-state";
import { Field } from "./field";
import { FormToken } from "./form";
import { MailIcon } from "./icons";
import { InlineAction } from "./inline-action";
import { RelativeTime } from "./relative-time";
import { Fieldset } from "./select-field";
import { ActionsHeader, Table } from "./table";

export type EndpointView = {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  createdAt: string;
  disabledAt: string | null;
  disabledReason: string | null;
  failureStreak: number;
  rotatingUntil: string | null;
  deliveries: Array<{
    id: string;
    eventType: string;
    status: string;
    attempts: number;
    lastStatusCode: number | null;
    lastDurationMs: number | null;
    lastError: string | null;
    lastAttemptAt: string | null;
    nextAttemptAt: string;
  }>;
};

type ActionResult =
  | { ok: true; message: string; secret: { url: string; value: string } | null }
  | { ok: false; fieldErrors: Record<string, string>; formError?: string; values: Record<string, string> };

export function WebhookEndpoints({
  endpoints,
  eventTypes,
  formToken,
  hosted,
  result,
  audience,
}: {
  endpoints: EndpointView[];
  eventTypes: string[];
  formToken: string;
  hosted: boolean;
  result: ActionResult | undefined;
  /** Who receives them, in a few words: "your apps", "Acme's systems". */
  audience: string;
}) {
  const failure = result && !result.ok ? result : undefined;
  const pageError = failure ? (failure.formError ?? failure.fieldErrors.confirm ?? failure.fieldErrors.formToken ?? failure.fieldErrors.endpointId ?? failure.fieldErrors.deliveryId) : undefined;
  return (
    <>
      {result?.ok && result.secret ? (
        <Alert tone="success" title={`Signing secret for ${result.secret.url}`}>
          <p>Copy it now: it is shown only once. Your receiver verifies every request with it (docs/events.md).</p>
          <CopyButton value={result.secret.value} label="Signing secret" />
        </Alert>
      ) : null}
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {pageError ? <Alert tone="danger">{pageError}</Alert> : null}

      <Card title="Add an endpoint" description={`A URL of ${audience} that receives each event as a signed POST (Standard Webhooks).`}>
        <Form key={formToken} method="post" action="?intent=create" className="form" noValidate>
          <input type="hidden" name="intent" value="create" />
          <FormToken value={formToken} />
          <Field
            label="Endpoint URL"
            name="url"
            type="url"
            required
            hint={hosted ? "https:// or http://, on a public address (never a private, loopback or link-local one)." : "https:// or http://; addresses inside your network are fine."}
            defaultValue={failure?.values.url}
            error={failure?.fieldErrors.url}
          />
          <Field label="Description" name="description" hint="Optional: what receives them, e.g. “Team server”." defaultValue={failure?.values.description} error={failure?.fieldErrors.description} />
          <Fieldset legend="Events to send" name="eventTypes" sendsEmpty error={failure?.fieldErrors.eventTypes}>
            {eventTypes.map((type) => (
              <div className="checkbox" key={type}>
                <input id={`field-event-${type}`} type="checkbox" name="eventTypes" value={type} defaultChecked />
                <label htmlFor={`field-event-${type}`}>
                  <code>{type}</code> — {EVENT_TYPE_DESCRIPTIONS[type as EventType]}
                </label>
              </div>
            ))}
          </Fieldset>
          <div className="form-actions">
            <Button pendingLabel="Adding…">Add endpoint</Button>
          </div>
        </Form>
      </Card>

      {endpoints.length === 0 ? (
        <EmptyState title="No endpoints yet" icon={<MailIcon className="empty-state__icon" />}>
          Add one above and every event you choose is sent to it, signed, and retried for three days if it does not answer.
        </EmptyState>
      ) : (
        endpoints.map((endpoint) => <EndpointCard key={endpoint.id} endpoint={endpoint} />)
      )}
    </>
  );
}

function EndpointCard({ endpoint }: { endpoint: EndpointView }) {
  return (
    <Card
      title={<code>{endpoint.url}</code>}
      description={
        <>
          {endpoint.disabledAt ? (
            <StatusBadge status="disabled">{endpoint.disabledReason === "failing" ? "Turned off: it kept failing" : "Turned off"}</StatusBadge>
          ) : (
            <StatusBadge status="active" />
          )}{" "}
          {endpoint.rotatingUntil ? (
            <Badge tone="info">
              Old secret also signs until <RelativeTime iso={endpoint.rotatingUntil} />
            </Badge>
          ) : null}{" "}
          {endpoint.description ? `${endpoint.description}. ` : ""}
          Sends {endpoint.eventTypes.join(", ")}.
        </>
      }
      actions={
        <>
          {endpoint.disabledAt ? <InlineAction fields={{ intent: "enable", endpointId: endpoint.id }} action="?intent=enable" label="Turn on" context={endpoint.url} /> : null}
          <ConfirmAction
            id={`rotate-${endpoint.id}`}
            action="?intent=rotate"
            fields={{ intent: "rotate", endpointId: endpoint.id }}
            label="Rotate secret"
            context={endpoint.url}
            title="Rotate this endpoint's signing secret?"
            description="A new secret is shown once. For 24 hours every event is signed with both the old and the new one, so you can update your receiver without losing events."
            confirmLabel="Rotate secret"
            triggerVariant="secondary"
            confirmVariant="primary"
          />
          <ConfirmAction
            id={`delete-${endpoint.id}`}
            action="?intent=delete"
            fields={{ intent: "delete", endpointId: endpoint.id }}
            label="Delete"
            context={endpoint.url}
            title="Delete this endpoint?"
            description="Nothing more is sent to it, including events waiting to be retried, and its delivery log goes with it. This cannot be undone."
            confirmLabel="Delete endpoint"
          />
        </>
      }
    >
      {endpoint.deliveries.length === 0 ? (
        <p>No deliveries yet.</p>
      ) : (
        <Table caption={`Recent deliveries to ${endpoint.url}`} stack>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Tries</th>
              <th scope="col">Response</th>
              <th scope="col">Last try</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {endpoint.deliveries.map((d) => (
              <tr key={d.id}>
                <td data-label="Event">
                  <code>{d.eventType}</code>
                </td>
                <td data-label="Status">
                  <StatusBadge status={d.status === "pending" && d.attempts > 0 ? "retrying" : d.status} />
                  {d.status === "pending" && d.attempts > 0 ? (
                    <>
                      {" "}
                      next <RelativeTime iso={d.nextAttemptAt} />
                    </>
                  ) : null}
                </td>
                <td data-label="Tries">{d.attempts}</td>
                <td data-label="Response">
                  {d.lastStatusCode ? `${d.lastStatusCode}` : (d.lastError ?? "—")}
                  {d.lastDurationMs !== null ? ` in ${d.lastDurationMs} ms` : ""}
                </td>
                <td data-label="Last try">
                  <RelativeTime iso={d.lastAttemptAt} fallback="Not yet" />
                </td>
                <td className="table__actions">
                  {d.status === "delivered" || d.status === "failed" ? <InlineAction fields={{ intent: "resend", deliveryId: d.id }} action="?intent=resend" label="Resend" context={`${d.eventType} to ${endpoint.url}`} /> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}
