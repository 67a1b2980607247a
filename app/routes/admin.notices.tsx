import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireOperator } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { countActiveAccounts, listNotices, publishNotice } from "~/.server/notices/notices";
import { NoticeSchema } from "~/.server/notices/schema";
import { Field, FormMessage, SubmitButton } from "~/components/form";
import { NOTICE_BODY_MAX, NOTICE_DAYS } from "~/utils/notice-limits";

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
  const form = await readForm(request, NoticeSchema);
  if (!form.ok) return formFailure(form);
  await publishNotice(getDb(), { ...form.data, createdBy: user.id });
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
  const bodyError = failure?.fieldErrors.body;

  return (
    <div className="stack wide">
      <h1>Notices</h1>
      <p>
        A notice tells everyone about a change in how their data is handled. Publishing it emails{" "}
        {activeAccounts.atLeast ? `all active accounts (more than ${activeAccounts.count})` : activeAccounts.count === 1 ? "the 1 active account" : `all ${activeAccounts.count} active accounts`} (verified, not being deleted) and
        shows a banner at the top of every page for {NOTICE_DAYS} days, until each person dismisses it.
      </p>
      {published !== null && !failure ? (
        <FormMessage tone="success">The notice is published. Its emails are being queued in the background; the list below shows how far that got.</FormMessage>
      ) : null}
      {failure?.formError ? <FormMessage tone="error">{failure.formError}</FormMessage> : null}

      <section className="panel stack" aria-labelledby="publish-title">
        <h2 id="publish-title">Publish a notice</h2>
        <Form method="post" className="stack" noValidate>
          <Field label="Title" name="title" required defaultValue={failure?.values.title} error={failure?.fieldErrors.title} />
          <div className="field">
            <label htmlFor="field-body">Body</label>
            <p className="hint" id="field-body-hint">
              Plain text, up to {NOTICE_BODY_MAX} characters. Leave a blank line between paragraphs.
            </p>
            <textarea
              id="field-body"
              name="body"
              rows={8}
              cols={60}
              required
              defaultValue={failure?.values.body}
              aria-invalid={bodyError ? true : undefined}
              aria-describedby={bodyError ? "field-body-hint field-body-error" : "field-body-hint"}
            />
            {bodyError ? (
              <p className="field-error" id="field-body-error">
                {bodyError}
              </p>
            ) : null}
          </div>
          <Field
            label="Link (optional)"
            name="link"
            hint="A page of this portal, starting with /, such as /privacy. Emails link to it on this portal's own address."
            defaultValue={failure?.values.link}
            error={failure?.fieldErrors.link}
          />
          <SubmitButton>Publish and email everyone</SubmitButton>
        </Form>
      </section>

      <section className="stack" aria-labelledby="list-title">
        <h2 id="list-title">Published notices</h2>
        {notices.length === 0 ? <p>No notices yet.</p> : null}
        {notices.length > 0 ? (
          <table>
            <caption className="visually-hidden">Published notices, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Published (UTC)</th>
                <th scope="col">Notice</th>
                <th scope="col">Banner</th>
                <th scope="col">Emails</th>
                <th scope="col">Dismissed by</th>
              </tr>
            </thead>
            <tbody>
              {notices.map((notice) => (
                <tr key={notice.id}>
                  <td>
                    {time(notice.published_at)}
                    {notice.by ? (
                      <>
                        <br />
                        <small>by {notice.by}</small>
                      </>
                    ) : null}
                  </td>
                  <td>
                    <strong>{notice.title}</strong>
                    <br />
                    <small>{notice.body.length > 200 ? `${notice.body.slice(0, 200)}…` : notice.body}</small>
                    {notice.link ? (
                      <>
                        <br />
                        <small>Link: {notice.link}</small>
                      </>
                    ) : null}
                  </td>
                  <td>{notice.showing ? `showing until ${time(notice.show_until)}` : `ended ${time(notice.show_until)}`}</td>
                  <td>
                    {notice.emailsQueued} queued{notice.fanOutDone ? "" : " so far (in progress)"}
                    {notice.emailsRefused > 0 ? `, ${notice.emailsRefused} refused` : ""}
                  </td>
                  <td>{notice.dismissals}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}
