import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { confirmedField } from "~/.server/form-guards/confirmation";
import { formFailure, readForm } from "~/.server/forms";
import { countActiveAccounts, listNotices, publishNotice } from "~/.server/notices/notices";
import { NoticeSchema } from "~/.server/notices/schema";
import { Alert } from "~/components/alert";
import { StatusBadge } from "~/components/badge";
import { Card } from "~/components/card";
import { ConfirmSubmit, ServerConfirmationStep } from "~/components/confirm-action";
import { EmptyState } from "~/components/empty-state";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { RelativeTime } from "~/components/relative-time";
import { Table } from "~/components/table";
import { NOTICE_BODY_MAX, NOTICE_DAYS } from "~/utils/notice-limits";

const ConfirmedNoticeSchema = NoticeSchema.extend({ confirm: confirmedField.optional() });

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOperator(request);
  const db = getDb();
  const now = new Date();
  const [notices, activeAccounts] = await Promise.all([listNotices(db), countActiveAccounts(db)]);
  return {
    activeAccounts,
    notices: notices.map((n) => ({
      id: n.id,
      title: n.title,
      body: n.body,
      link: n.link,
      by: n.created_by_email,
      dismissals: Number(n.dismissals ?? 0),
      emailsQueued: n.emails_queued,
      emailsRefused: n.emails_refused,
      fanOutDone: n.fanout_done_at !== null,
      showing: n.published_at <= now && n.show_until > now,
      published_at: n.published_at.toISOString(),
      show_until: n.show_until.toISOString(),
    })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const { user } = await requireOperator(request);
  const form = await readForm(request, ConfirmedNoticeSchema);
  if (!form.ok) return formFailure(form);
  // Valid, but not yet confirmed (no JavaScript, or a bare POST): nothing is published; the page asks first.
  if (!form.data.confirm) return data({ ok: false as const, needsConfirmation: true as const, values: form.values }, { status: 400 });
  const { confirm: _confirmed, ...notice } = form.data;
  await publishNotice(getDb(), { ...notice, createdBy: user.id });
  // Post/redirect/get: reloading the page must not publish (and email everyone) twice.
  // The emails are queued by the worker in batches; the list below shows how far it got.
  throw redirect("/admin/notices?published=1", 303);
}

export const meta: MetaFunction = () => [{ title: "Notices" }];

const time = (iso: string) => iso.replace("T", " ").slice(0, 16);

export default function AdminNotices() {
  const { notices, activeAccounts } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const published = searchParams.get("published");
  const needsConfirmation = failure && "needsConfirmation" in failure;
  const errors = failure && !needsConfirmation ? failure : undefined;
  const audience = activeAccounts.atLeast ? `all active accounts (more than ${activeAccounts.count})` : activeAccounts.count === 1 ? "the 1 active account" : `all ${activeAccounts.count} active accounts`;

  return (
    <Page
      width="wide"
      title="Notices"
      description={`A notice tells everyone about a change in how their data is handled. Publishing it emails ${audience} (verified, not being deleted) and shows a banner at the top of every page for ${NOTICE_DAYS} days, until each person dismisses it.`}
    >
      {published !== null && !failure ? <Alert tone="success">The notice is published. Its emails are being queued in the background; the list below shows how far that got.</Alert> : null}
      {errors?.formError ? <Alert tone="danger">{errors.formError}</Alert> : null}
      {needsConfirmation ? (
        <ServerConfirmationStep
          title={`Publish “${failure.values.title ?? ""}” and email ${audience}?`}
          description="Everyone gets the email, queued in the background, and the banner shows on every page. A published notice cannot be recalled."
          confirmLabel="Publish and email everyone"
          fields={{ title: failure.values.title ?? "", body: failure.values.body ?? "", link: failure.values.link ?? "" }}
          cancelHref="/admin/notices"
        />
      ) : null}

      <Card title="Publish a notice">
        <Form method="post" className="form" noValidate>
          <Field label="Title" name="title" required defaultValue={failure?.values.title} error={errors?.fieldErrors.title} />
          <Field
            label="Body"
            name="body"
            multiline
            rows={8}
            required
            hint={`Plain text, up to ${NOTICE_BODY_MAX} characters. Leave a blank line between paragraphs.`}
            defaultValue={failure?.values.body}
            error={errors?.fieldErrors.body}
          />
          <Field
            label="Link (optional)"
            name="link"
            hint="A page of this portal, starting with /, such as /privacy. Emails link to it on this portal's own address."
            defaultValue={failure?.values.link}
            error={errors?.fieldErrors.link}
          />
          <div className="form-actions">
            <ConfirmSubmit
              label="Publish and email everyone"
              title={`Publish this notice and email ${audience}?`}
              description="Everyone gets the email, queued in the background, and the banner shows on every page. A published notice cannot be recalled."
              confirmLabel="Publish and email everyone"
            />
          </div>
        </Form>
      </Card>

      <section className="stack" aria-labelledby="list-title">
        <h2 id="list-title">Published notices</h2>
        {notices.length === 0 ? (
          <EmptyState title="No notices yet">Notices you publish appear here, with how many people dismissed each.</EmptyState>
        ) : (
          <Table caption="Published notices, newest first" stack>
            <thead>
              <tr>
                <th scope="col">Published</th>
                <th scope="col">Notice</th>
                <th scope="col">Banner</th>
                <th scope="col">Emails</th>
                <th scope="col">Dismissed by</th>
              </tr>
            </thead>
            <tbody>
              {notices.map((notice) => (
                <tr key={notice.id}>
                  <td data-label="Published">
                    <RelativeTime iso={notice.published_at} />
                    {notice.by ? <div className="muted small">by {notice.by}</div> : null}
                  </td>
                  <td data-label="Notice">
                    <strong>{notice.title}</strong>
                    <div className="muted small">{notice.body.length > 200 ? `${notice.body.slice(0, 200)}…` : notice.body}</div>
                    {notice.link ? <div className="muted small">Link: {notice.link}</div> : null}
                  </td>
                  <td data-label="Banner">
                    {notice.showing ? (
                      <StatusBadge status="active">Showing until {time(notice.show_until)}</StatusBadge>
                    ) : (
                      <StatusBadge status="expired">Ended {time(notice.show_until)}</StatusBadge>
                    )}
                  </td>
                  <td data-label="Emails">
                    {notice.emailsQueued} queued{notice.fanOutDone ? "" : " so far (in progress)"}
                    {notice.emailsRefused > 0 ? `, ${notice.emailsRefused} refused` : ""}
                  </td>
                  <td data-label="Dismissed by">{notice.dismissals}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>
    </Page>
  );
}
