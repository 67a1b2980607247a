import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { retryFailedEmail } from "~/.server/email/delivery";
import { listEmailPage } from "~/.server/email/outbox-log";
import { formFailure, readForm } from "~/.server/forms";
import { Alert } from "~/components/alert";
import { StatusBadge } from "~/components/badge";
import { Button, buttonClass } from "~/components/button";
import { EmptyState } from "~/components/empty-state";
import { Tabs } from "~/components/nav";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { Table } from "~/components/table";

const STATUSES = ["queued", "sending", "sent", "failed"] as const;
const RetrySchema = z.object({ emailId: z.uuid("Unknown message.") });

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  const search = new URL(request.url).searchParams;
  const requested = search.get("status");
  const status = STATUSES.find((s) => s === requested);
  const before = search.get("before");
  const { emails, nextCursor } = await listEmailPage(getDb(), { status, before });
  return {
    status: status ?? null,
    before: before ?? "",
    nextCursor,
    emails: emails.map((e) => ({
      ...e,
      created_at: e.created_at.toISOString(),
      sent_at: e.sent_at?.toISOString() ?? null,
      next_attempt_at: e.next_attempt_at.toISOString(),
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  await requireOperator(request);
  const form = await readForm(request, RetrySchema);
  if (!form.ok) return formFailure(form);
  const retried = await retryFailedEmail(getDb(), form.data.emailId);
  if (!retried) return formFailure({ formError: "Only a failed message whose content is still kept can be retried." }, 409);
  return { ok: true as const };
}

export const meta: MetaFunction = () => [{ title: "Email log" }];

const time = (iso: string | null) => (iso ? iso.replace("T", " ").slice(0, 19) : "—");

export default function AdminEmails() {
  const { emails, status, before, nextCursor } = useLoaderData<typeof loader>();
  const withStatus = (extra: Record<string, string>) => `/admin/emails?${new URLSearchParams({ ...(status ? { status } : {}), ...extra })}`;
  const result = useActionData<typeof action>();
  return (
    <Page width="wide" title="Email log" description="Every message the portal sent or tried to send. Failed messages can be retried.">
      <Tabs label="Filter by status" items={[{ to: "/admin/emails", label: "All", end: true }, ...STATUSES.map((s) => ({ to: `/admin/emails?status=${s}`, label: s }))]} current={status === null ? "/admin/emails" : `/admin/emails?status=${status}`} />
      {result?.ok ? <Alert tone="success">The message is queued again.</Alert> : null}
      {result && !result.ok ? <Alert tone="danger">{result.formError ?? "That did not work."}</Alert> : null}
      {emails.length === 0 ? (
        <EmptyState title={status ? `No ${status} messages` : "No messages yet"}>Messages appear here as the portal sends them: confirmations, invitations, notices.</EmptyState>
      ) : (
        <Table caption="Recent emails" stack>
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">To</th>
              <th scope="col">Message</th>
              <th scope="col">Status</th>
              <th scope="col">Tries</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {emails.map((email) => (
              <tr key={email.id}>
                <td data-label="Created">
                  <RelativeTime iso={email.created_at} />
                </td>
                <td data-label="To">{email.to_address}</td>
                <td data-label="Message">
                  <strong>{email.template}</strong>
                  <div className="muted small">{email.subject}</div>
                </td>
                <td data-label="Status">
                  <span className="cluster">
                    <StatusBadge status={email.status} />
                    {email.status === "sent" ? <span className="muted small">{time(email.sent_at)}</span> : null}
                    {email.status === "queued" ? <span className="muted small">next {time(email.next_attempt_at)}</span> : null}
                    {email.status === "failed" && email.retryable ? (
                      <Form method="post">
                        <input type="hidden" name="emailId" value={email.id} />
                        <Button variant="secondary" size="small" context={`the ${email.template} message to ${email.to_address}`}>
                          Retry
                        </Button>
                      </Form>
                    ) : null}
                  </span>
                </td>
                <td data-label="Tries">
                  {email.attempts}/{email.max_attempts}
                </td>
                <td data-label="Last error">{email.last_error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {nextCursor || before ? (
        <nav aria-label="Pages" className="table-footer">
          {before ? (
            <Link to={withStatus({})} className={buttonClass("secondary", "small")}>
              Newest
            </Link>
          ) : (
            <span />
          )}
          {nextCursor ? (
            <Link to={withStatus({ before: nextCursor })} className={buttonClass("secondary", "small")}>
              Older messages
            </Link>
          ) : (
            <span />
          )}
        </nav>
      ) : null}
    </Page>
  );
}
