import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { retryFailedEmail } from "~/.server/email/delivery";
import { listEmailPage } from "~/.server/email/outbox-log";
import { formFailure, readForm } from "~/.server/forms";
import { FormMessage } from "~/components/form";
import { InlineAction } from "~/components/inline-action";

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
    <div className="stack wide">
      <h1>Email log</h1>
      <nav aria-label="Filter by status">
        <Link to="/admin/emails" aria-current={status === null ? "page" : undefined}>All</Link>
        {STATUSES.map((s) => (
          <span key={s}>
            {" · "}
            <Link to={`/admin/emails?status=${s}`} aria-current={status === s ? "page" : undefined}>
              {s}
            </Link>
          </span>
        ))}
      </nav>
      {result?.ok ? <FormMessage tone="success">The message is queued again.</FormMessage> : null}
      {result && !result.ok ? <FormMessage tone="error">{result.formError ?? "That did not work."}</FormMessage> : null}
      {emails.length === 0 ? <p>No messages{status ? ` with status ${status}` : ""}.</p> : null}
      {emails.length > 0 ? (
        <table>
          <caption className="visually-hidden">Recent emails</caption>
          <thead>
            <tr>
              <th scope="col">Created (UTC)</th>
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
                <td>{time(email.created_at)}</td>
                <td>{email.to_address}</td>
                <td>
                  {email.template}
                  <br />
                  <small>{email.subject}</small>
                </td>
                <td>
                  {email.status}
                  {email.status === "sent" ? <small> {time(email.sent_at)}</small> : null}
                  {email.status === "queued" ? <small> next {time(email.next_attempt_at)}</small> : null}
                  {email.status === "failed" && email.retryable ? (
                    <InlineAction fields={{ emailId: email.id }} label="Retry" context={`the ${email.template} message to ${email.to_address}`} />
                  ) : null}
                </td>
                <td>
                  {email.attempts}/{email.max_attempts}
                </td>
                <td>{email.last_error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {nextCursor || before ? (
        <nav aria-label="Pages" className="toolbar">
          {before ? <Link to={withStatus({})}>Newest</Link> : null}
          {nextCursor ? <Link to={withStatus({ before: nextCursor })}>Older messages</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}
