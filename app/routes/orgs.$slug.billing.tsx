import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { customerPortalUrl, MAX_SEATS, startCheckout } from "~/.server/billing/checkout";
import { planFeatures, planLabel, SOLO_SEAT_LIMIT } from "~/.server/billing/plans";
import { billingMode, requireBillingAvailable } from "~/.server/billing/settings";
import { findOrgSubscription } from "~/.server/billing/subscriptions";
import { getDb } from "~/.server/db";
import { getEnv } from "~/.server/env";
import { formFailure, readForm } from "~/.server/forms";
import { requireOrgRole } from "~/.server/orgs/access";
import { listPendingInvitations } from "~/.server/orgs/invitations";
import { countMembers } from "~/.server/orgs/orgs";
import { Alert } from "~/components/alert";
import { PlanBadge, StatusBadge } from "~/components/badge";
import { Button, buttonClass } from "~/components/button";
import { Card } from "~/components/card";
import { Field } from "~/components/field";
import { Page } from "~/components/page";

const UpgradeSchema = z.object({
  intent: z.literal("upgrade"),
  seats: z
    .string({ error: "How many seats?" })
    .trim()
    .regex(/^\d{1,4}$/, "Enter a whole number of seats.")
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_SEATS, `Choose 1 to ${MAX_SEATS} seats (for more, contact us).`),
});

const STATUS_LABELS: Record<string, string> = {
  on_trial: "Trial",
  active: "Active",
  past_due: "Payment failed — retrying",
  paused: "Paused",
  unpaid: "Unpaid",
  cancelled: "Cancelled",
  expired: "Expired",
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const mode = billingMode(getEnv());
  requireBillingAvailable(mode);
  const { org, standing } = await requireOrgRole(request, params.slug, "admin", { allowReadOnly: true });
  const search = new URL(request.url).searchParams;
  const db = getDb();
  // "Manage subscription" is a plain link here: the portal URL is signed and
  // short-lived, so it is fetched fresh on every click, then followed.
  let portalError: string | null = null;
  if (search.get("portal") === "open" && mode.kind === "on") {
    const portal = await customerPortalUrl(db, mode.settings, org.id);
    if (portal.ok) throw redirect(portal.url, 303);
    portalError = portal.message;
  }
  const [members, pending, subscription] = await Promise.all([countMembers(db, org.id), listPendingInvitations(db, org.id), findOrgSubscription(db, org.id)]);
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return {
    org: { slug: org.slug, name: org.name, plan: org.plan, planLabel: planLabel(org.plan), seatLimit: org.seatLimit, apiKeys: planFeatures(org.plan).apiKeys },
    configured: mode.kind === "on",
    access: standing.access,
    seats: { members, pending: pending.length },
    subscription: subscription
      ? {
          status: subscription.status,
          statusLabel: STATUS_LABELS[subscription.status] ?? subscription.status,
          seats: subscription.seats,
          renewsAt: iso(subscription.renews_at),
          endsAt: iso(subscription.ends_at),
          trialEndsAt: iso(subscription.trial_ends_at),
          testMode: subscription.test_mode,
        }
      : null,
    canSubscribe: !subscription || !["on_trial", "active", "past_due"].includes(subscription.status),
    checkoutDone: search.get("checkout") === "done",
    portalError,
    soloSeats: SOLO_SEAT_LIMIT,
    maxSeats: MAX_SEATS,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const mode = billingMode(getEnv());
  requireBillingAvailable(mode);
  // Billing stays open on a read-only org: it is how access comes back.
  const access = await requireOrgRole(request, params.slug, "admin", { allowReadOnly: true });
  if (mode.kind !== "on") return formFailure({ formError: "Billing is not configured on this installation." }, 409);
  const form = await readForm(request, UpgradeSchema);
  if (!form.ok) return formFailure(form);
  const result = await startCheckout(getDb(), mode.settings, {
    org: { id: access.org.id, slug: access.org.slug },
    seats: form.data.seats,
    actor: access.actor,
    email: access.session.user.email,
    ip: access.ip,
    publicUrl: getEnv().PUBLIC_URL,
  });
  if (!result.ok) return formFailure({ formError: result.message, values: form.values }, result.reason === "already-subscribed" ? 409 : 502);
  // A plain form post (JavaScript off) is a navigation our CSP's form-action
  // 'self' would stop at a redirect to LemonSqueezy: it gets a link to follow
  // instead. With JavaScript, Remix follows the redirect itself.
  if (request.headers.get("sec-fetch-dest") === "document") return { ok: true as const, checkoutUrl: result.url };
  throw redirect(result.url, 303);
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Billing — ${data?.org.name ?? ""}` }];

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : null);

export default function Billing() {
  const { org, configured, seats, subscription, canSubscribe, checkoutDone, portalError, soloSeats, maxSeats } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failure = result && !result.ok ? result : undefined;
  const used = seats.members + seats.pending;
  return (
    <Page title="Billing" description={`The plan, seats and subscription of ${org.name}.`}>
      {!configured ? (
        <Alert tone="info">
          Billing is not configured on this installation, so plans cannot be bought or changed here. This organization stays on its current plan. (The operator turns billing on with the
          LEMONSQUEEZY_* settings.)
        </Alert>
      ) : null}
      {checkoutDone ? (
        <Alert tone="success">Thank you. Your payment is being confirmed; the plan below changes as soon as the payment provider tells us, usually within a minute.</Alert>
      ) : null}
      {result?.ok ? (
        <Alert tone="success">
          <p>
            Your checkout is ready. <a href={result.checkoutUrl}>Continue to the secure payment page</a>
          </p>
        </Alert>
      ) : null}
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      {portalError ? <Alert tone="danger">{portalError}</Alert> : null}
      <Card
        title="Current plan"
        actions={<PlanBadge plan={org.plan} />}
        footer={
          configured && subscription ? (
            <a href={`/orgs/${org.slug}/billing?portal=open`} className={buttonClass("secondary")}>
              Manage subscription, seats and invoices
            </a>
          ) : undefined
        }
      >
        <dl className="facts">
          <dt>Plan</dt>
          <dd>{org.planLabel}</dd>
          {subscription ? (
            <>
              <dt>Status</dt>
              <dd>
                <StatusBadge status={subscription.status}>{subscription.statusLabel}</StatusBadge>
                {subscription.testMode ? " (test mode)" : ""}
              </dd>
            </>
          ) : null}
          <dt>Seats</dt>
          <dd>
            {used} used
            {seats.pending > 0 ? ` (${seats.members} members, ${seats.pending} pending invitation${seats.pending === 1 ? "" : "s"})` : ""}
            {org.seatLimit !== null ? ` of ${org.seatLimit}${subscription ? " bought" : ""}` : ", no limit"}
          </dd>
          {subscription?.trialEndsAt && subscription.status === "on_trial" ? (
            <>
              <dt>Trial ends</dt>
              <dd>{day(subscription.trialEndsAt)}</dd>
            </>
          ) : null}
          {subscription?.endsAt ? (
            <>
              <dt>{subscription.status === "expired" ? "Ended" : "Ends"}</dt>
              <dd>{day(subscription.endsAt)}</dd>
            </>
          ) : subscription?.renewsAt ? (
            <>
              <dt>Renews</dt>
              <dd>{day(subscription.renewsAt)}</dd>
            </>
          ) : null}
        </dl>
        {org.plan === "solo" ? (
          <p className="muted">
            Solo is free: one organization with up to {soloSeats} seats, and its own audit history. Team adds as many seats as you buy, API keys, and audit events pushed from your
            own tools.
          </p>
        ) : null}
      </Card>
      {configured && canSubscribe && org.plan !== "enterprise" ? (
        <Card title={subscription ? "Subscribe again to Team" : "Upgrade to Team"} description="You pay per seat; every member and pending invitation takes one. You can change the number later.">
          <Form method="post" action="?intent=upgrade" className="form" noValidate>
            <input type="hidden" name="intent" value="upgrade" />
            <Field
              label="Seats"
              name="seats"
              inputMode="numeric"
              required
              hint={`1 to ${maxSeats}.`}
              defaultValue={failure?.values.seats ?? String(Math.max(used, 1))}
              error={failure?.fieldErrors.seats}
            />
            <div className="form-actions">
              <Button pendingLabel="Preparing checkout…">Continue to payment</Button>
            </div>
          </Form>
        </Card>
      ) : null}
    </Page>
  );
}
