import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { cancelDeletion, scheduleDeletion, soleOwnerBlockers } from "~/.server/accounts/deletion";
import { requireRecentAuth } from "~/.server/accounts/mfa/step-up";
import { requireUser } from "~/.server/auth";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { formFailure, readForm } from "~/.server/forms";
import { tooManyRequests, unlessBusy } from "~/.server/http/responses";
import { clearedSessionCookie } from "~/.server/session-cookie";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";
import { passThroughHeaders } from "~/utils/headers";

const CONFIRMATION = "delete my account";

const DeleteSchema = z.object({
  intent: z.literal("delete"),
  password: z.string().min(1, "Enter your password to confirm it is you."),
  confirmation: z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .refine((value) => value === CONFIRMATION, `Type “${CONFIRMATION}” to confirm.`),
});
const CancelSchema = z.object({ intent: z.literal("cancel") });

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireUser(request, { allowPendingDeletion: true, allowUnverified: true });
  const db = getDb();
  const user = await db.selectFrom("user").select(["purge_after"]).where("id", "=", session.user.id).executeTakeFirstOrThrow();
  return {
    graceDays: getEnv().ACCOUNT_DELETION_GRACE_DAYS,
    purgeAfter: user.purge_after?.toISOString() ?? null,
    blockers: user.purge_after ? [] : await soleOwnerBlockers(db, session.user.id),
  };
}

export const headers = passThroughHeaders;

export async function action({ request, context }: ActionFunctionArgs) {
  const session = await requireUser(request, { allowPendingDeletion: true, allowUnverified: true });
  const db = getDb();
  if (new URL(request.url).searchParams.get("intent") === "cancel") {
    const form = await readForm(request, CancelSchema);
    if (!form.ok) return formFailure(form);
    await cancelDeletion(db, session.user.id, context.clientIp);
    // Said on the page that did it, rather than a silent jump to Settings.
    return { ok: true as const, cancelled: true as const };
  }
  await requireRecentAuth(request, { allowPendingDeletion: true, allowUnverified: true });
  const form = await readForm(request, DeleteSchema);
  if (!form.ok) return formFailure(form);
  return unlessBusy(async () => {
    const result = await scheduleDeletion(db, { userId: session.user.id, password: form.data.password, ip: context.clientIp, graceDays: getEnv().ACCOUNT_DELETION_GRACE_DAYS });
    if (!result.ok && result.reason === "throttled") return tooManyRequests(result.retryAfterSeconds, "Too many password attempts. Please wait a few minutes and try again.");
    if (!result.ok && result.reason === "wrong-password") return formFailure({ fieldErrors: { password: "That is not your password." }, values: form.values }, 403);
    if (!result.ok && result.reason === "sole-owner") {
      return formFailure({ formError: `You are the only owner of ${result.orgs.join(", ")}, which has other members. Make someone else an owner, or delete the organization, first.` }, 409);
    }
    // Every session, including this one, has ended (or an operator erased the account meanwhile).
    throw redirect("/?notice=deletion-scheduled", { headers: { "Set-Cookie": clearedSessionCookie() } });
  });
}

export const meta: MetaFunction = () => [{ title: "Delete your account" }];

export default function DeleteAccount() {
  const { graceDays, purgeAfter, blockers } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  if (result?.ok && result.cancelled && !purgeAfter) {
    return (
      <Page width="narrow" title="Your account is no longer scheduled for deletion">
        <Alert tone="success">Deletion cancelled. Your account and your data stay as they were.</Alert>
        <p>
          <Link to="/settings">Go to your settings</Link>
        </p>
      </Page>
    );
  }
  if (purgeAfter) {
    return (
      <Page width="narrow" title="Your account is scheduled for deletion">
        <Alert tone="warning">
          <p>
            On <strong>{purgeAfter.slice(0, 10)}</strong> we erase your account and your personal data. Until then you can change your mind.
          </p>
        </Alert>
        {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
        <Form method="post" action="?intent=cancel">
          <input type="hidden" name="intent" value="cancel" />
          <Button pendingLabel="Cancelling…">Cancel deletion</Button>
        </Form>
      </Page>
    );
  }
  return (
    <Page title="Delete your account" description="This signs you out everywhere and, after a grace period, erases your account for good.">
      <Card title="What happens">
        <ul className="stack-sm">
          <li>You are signed out everywhere, at once.</li>
          <li>Your account is kept for {graceDays} days, in case you change your mind: log in before then to cancel.</li>
          <li>After that we erase your account and personal data for good: profile, sessions, waitlist entry and the emails we sent you.</li>
          <li>Organizations keep their history, with you shown as a deleted user. Organizations where you are the only member are deleted too.</li>
        </ul>
        <p>
          Want a copy first? <Link to="/settings/export">Download your data</Link>.
        </p>
      </Card>
      {blockers.length > 0 ? (
        <Alert tone="warning">You are the only owner of {blockers.join(", ")}. Make another member an owner, or delete the organization, before deleting your account.</Alert>
      ) : null}
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      <Card title="Delete my account" tone="danger">
        <Form method="post" action="?intent=delete" className="form" noValidate>
          <input type="hidden" name="intent" value="delete" />
          <Field label="Your password" name="password" type="password" autoComplete="current-password" required error={failure?.fieldErrors.password} />
          <Field label={`Type “${CONFIRMATION}”`} name="confirmation" autoComplete="off" required defaultValue={failure?.values.confirmation} error={failure?.fieldErrors.confirmation} hideCount />
          <div className="form-actions">
            <Button variant="danger" pendingLabel="Deleting…">
              Delete my account
            </Button>
          </div>
        </Form>
      </Card>
    </Page>
  );
}
