import { useFetcher } from "@remix-run/react";
import { Alert } from "./alert";
import { Button } from "./button";
import { Field } from "./field";

export type WaitlistResult =
  | { ok: true }
  | { ok: false; fieldErrors: Record<string, string>; formError?: string; values: Record<string, string>; stamp?: string };

/**
 * The waitlist form. With JavaScript it posts in the background (no reload);
 * without, it is a plain POST to /waitlist, which answers with a full page.
 */
export function WaitlistForm({ stamp, result: serverResult }: { stamp: string; result?: WaitlistResult }) {
  const fetcher = useFetcher<WaitlistResult>();
  const result = fetcher.data ?? serverResult;
  if (result?.ok) {
    return (
      <Alert tone="success">
        Thanks! Check your inbox: we sent you a link to confirm your place. (If you already joined, you are still on the list.)
      </Alert>
    );
  }
  const failure = result && !result.ok ? result : undefined;
  return (
    <fetcher.Form method="post" action="/waitlist" className="stack" noValidate>
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      {/* After a failure the server says which stamp to carry on with: the page's own, or a fresh one. */}
      <input type="hidden" name="startedAt" value={failure?.stamp ?? stamp} />
      <div className="honeypot" aria-hidden="true">
        <label htmlFor="field-website">Leave this empty</label>
        <input id="field-website" name="website" type="text" tabIndex={-1} autoComplete="off" />
      </div>
      <Field label="Email" name="email" type="email" autoComplete="email" required defaultValue={failure?.values.email} error={failure?.fieldErrors.email} />
      <Field label="Name (optional)" name="name" autoComplete="name" defaultValue={failure?.values.name} error={failure?.fieldErrors.name} />
      <Field label="Company (optional)" name="company" autoComplete="organization" defaultValue={failure?.values.company} error={failure?.fieldErrors.company} />
      <Button>{fetcher.state === "submitting" ? "Joining…" : "Join the waitlist"}</Button>
    </fetcher.Form>
  );
}
