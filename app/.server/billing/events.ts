// The webhook worker's one pass: claim stored events, apply each, record the
// outcome. The claim is the email outbox's (FOR UPDATE SKIP LOCKED, a claim
// token, a lease), so any number of processes can run passes. Applying an event
// and marking it done happen in one transaction that first re-checks the claim
// and locks the event row: an event is applied by one pass, once, or not at all.
// Re-applying one (a replay, or a pass that died before committing) is
// harmless: a subscription update not newer than the stored one changes
// nothing, and payment notes are written once per event.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../db";
import { recordAuditEvent } from "../orgs/audit";
import { fetchSubscription } from "./lemonsqueezy";
import { parseCheckoutReference, parseInvoice, parseOrder, parseSubscription, type CheckoutReference, type SubscriptionSnapshot } from "./resources";
import type { BillingSettings } from "./settings";
import { applySubscriptionSnapshot, PROVIDER, PROVIDER_ACTOR } from "./subscriptions";

export type WebhookWorkerSettings = { batchSize: number; leaseMs: number; maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

export const DEFAULT_WEBHOOK_WORKER: WebhookWorkerSettings = { batchSize: 50, leaseMs: 60_000, maxAttempts: 10, baseDelayMs: 15_000, maxDelayMs: 60 * 60 * 1000 };

export type WebhookWorkerDeps = {
  db: Database;
  settings: BillingSettings;
  logger: Logger;
  worker?: Partial<WebhookWorkerSettings>;
  now?: () => Date;
  random?: () => number;
};

export type WebhookPass = { claimed: number; applied: number; skipped: number; retrying: number; failed: number };

const SUBSCRIPTION_EVENTS = new Set([
  "subscription_created",
  "subscription_updated",
  "subscription_cancelled",
  "subscription_resumed",
  "subscription_expired",
  "subscription_paused",
  "subscription_unpaused",
]);
const PAYMENT_EVENTS: Record<string, string> = {
  subscription_payment_success: "billing.payment_succeeded",
  subscription_payment_failed: "billing.payment_failed",
  subscription_payment_recovered: "billing.payment_recovered",
  subscription_payment_refunded: "billing.payment_refunded",
};
const ORDER_EVENTS: Record<string, string> = { order_created: "billing.order_created", order_refunded: "billing.order_refunded" };

type ClaimedEvent = { id: string; event_name: string; body: string | null; attempts: number };

/** What applying an event came to. `retry` is for trouble that may pass (the API was down). */
type Result =
  | { kind: "applied"; orgId: string | null; outcome: string }
  | { kind: "skipped"; orgId: string | null; outcome: string }
  | { kind: "retry"; error: string }
  | { kind: "failed"; error: string };

export async function claimDueWebhookEvents(db: Database, now: Date, claimToken: string, settings: Pick<WebhookWorkerSettings, "batchSize" | "leaseMs">): Promise<ClaimedEvent[]> {
  const leaseUntil = new Date(now.getTime() + settings.leaseMs);
  const result = await sql<ClaimedEvent>`
    update webhook_event set status = 'processing', claim_token = ${claimToken}, locked_until = ${leaseUntil}, attempts = attempts + 1
    where id in (
      select id from webhook_event
      where (status = 'pending' and next_attempt_at <= ${now})
         or (status = 'processing' and locked_until < ${now})
      order by id
      limit ${settings.batchSize}
      for update skip locked
    )
    returning id, event_name, body, attempts`.execute(db);
  return result.rows.map((row) => ({ ...row, id: String(row.id) }));
}

export async function applyDueWebhookEvents(deps: WebhookWorkerDeps): Promise<WebhookPass> {
  const settings = { ...DEFAULT_WEBHOOK_WORKER, ...deps.worker };
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const pass: WebhookPass = { claimed: 0, applied: 0, skipped: 0, retrying: 0, failed: 0 };
  const claimToken = randomUUID();
  const claimed = await claimDueWebhookEvents(deps.db, now(), claimToken, settings);
  pass.claimed = claimed.length;

  for (const event of claimed) {
    const payload = parsePayload(event.body);
    // An API call (invoice events refresh their subscription) happens before the
    // transaction, so no database connection waits on LemonSqueezy.
    const fetched = payload.ok && PAYMENT_EVENTS[event.event_name] ? await freshSubscriptionFor(deps, payload.data, payload.reference) : null;

    const outcome = await deps.db.transaction().execute(async (tx) => {
      const mine = await tx.selectFrom("webhook_event").select("id").where("id", "=", event.id).where("claim_token", "=", claimToken).where("status", "=", "processing").forUpdate().executeTakeFirst();
      if (!mine) return null; // our lease ran out and another pass has it
      let result: Result;
      try {
        result = payload.ok ? await applyEvent(tx, deps.settings, event, payload, fetched, now()) : { kind: "failed", error: payload.error };
      } catch (error) {
        // Roll back whatever the event half did, then record the failure apart.
        throw new ApplyError((error as Error).message);
      }
      await markEvent(tx, event, result, settings, now(), random);
      return result;
    }).catch(async (error: unknown) => {
      if (!(error instanceof ApplyError)) throw error;
      const result: Result = { kind: "retry", error: error.message.slice(0, 500) };
      await deps.db.transaction().execute(async (tx) => {
        const mine = await tx.selectFrom("webhook_event").select("id").where("id", "=", event.id).where("claim_token", "=", claimToken).forUpdate().executeTakeFirst();
        if (mine) await markEvent(tx, event, result, settings, now(), random);
      });
      return result;
    });
    if (!outcome) continue;
    if (outcome.kind === "applied") pass.applied++;
    else if (outcome.kind === "skipped") pass.skipped++;
    else if (outcome.kind === "failed" || event.attempts >= settings.maxAttempts) {
      pass.failed++;
      deps.logger.error({ webhookEventId: event.id, event: event.event_name, error: outcome.error }, "billing webhook event failed for good");
    } else {
      pass.retrying++;
      deps.logger.warn({ webhookEventId: event.id, event: event.event_name, attempt: event.attempts, error: outcome.error }, "billing webhook event will be retried");
    }
  }
  return pass;
}

class ApplyError extends Error {}

async function markEvent(tx: Database, event: ClaimedEvent, result: Result, settings: WebhookWorkerSettings, at: Date, random: () => number) {
  const done = { claim_token: null, locked_until: null, processed_at: at };
  if (result.kind === "applied" || result.kind === "skipped") {
    await tx.updateTable("webhook_event").set({ ...done, status: result.kind, outcome: result.outcome.slice(0, 500), error: null, org_id: result.orgId }).where("id", "=", event.id).execute();
    return;
  }
  const giveUp = result.kind === "failed" || event.attempts >= settings.maxAttempts;
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (event.attempts - 1));
  const delay = Math.round(ceiling / 2 + random() * (ceiling / 2));
  await tx
    .updateTable("webhook_event")
    .set({ ...done, status: giveUp ? "failed" : "pending", error: result.error.slice(0, 500), next_attempt_at: new Date(at.getTime() + delay), processed_at: giveUp ? at : null })
    .where("id", "=", event.id)
    .execute();
}

type Payload = { meta: { custom_data?: unknown }; data: unknown };

function parsePayload(body: string | null): { ok: true; data: unknown; reference: CheckoutReference | null } | { ok: false; error: string } {
  if (body === null) return { ok: false, error: "the payload was purged (it named a person whose data was erased)" };
  try {
    const parsed = JSON.parse(body) as Payload;
    return { ok: true, data: parsed.data, reference: parseCheckoutReference(parsed.meta?.custom_data) };
  } catch {
    return { ok: false, error: "the stored payload is not JSON" };
  }
}

/** Invoice events do not carry the subscription's state: ask LemonSqueezy for it. */
async function freshSubscriptionFor(deps: WebhookWorkerDeps, data: unknown, reference: CheckoutReference | null): Promise<{ ok: true; snapshot: SubscriptionSnapshot | null } | { ok: false; error: string }> {
  const invoice = parseInvoice(data);
  if (!invoice.ok || invoice.value.storeId !== deps.settings.storeId) return { ok: true, snapshot: null };
  // Only for a subscription that is ours already, or may become ours through our checkout's custom data.
  const known = await deps.db.selectFrom("subscription").select("id").where("provider", "=", PROVIDER).where("provider_subscription_id", "=", invoice.value.subscriptionId).executeTakeFirst();
  if (!known && !reference) return { ok: true, snapshot: null };
  const result = await fetchSubscription(deps.settings, invoice.value.subscriptionId);
  return result.ok ? { ok: true, snapshot: result.value } : { ok: false, error: result.error };
}

async function applyEvent(
  tx: Database,
  settings: BillingSettings,
  event: ClaimedEvent,
  payload: { data: unknown; reference: CheckoutReference | null },
  fetched: Awaited<ReturnType<typeof freshSubscriptionFor>> | null,
  now: Date,
): Promise<Result> {
  const name = event.event_name;
  const source = `webhook ${name}`;

  if (SUBSCRIPTION_EVENTS.has(name)) {
    const snapshot = parseSubscription(payload.data);
    if (!snapshot.ok) return { kind: "failed", error: snapshot.error };
    const outcome = await applySubscriptionSnapshot(tx, snapshot.value, { settings, reference: payload.reference, source, now });
    return outcome.applied ? { kind: "applied", orgId: outcome.orgId, outcome: outcome.summary } : { kind: "skipped", orgId: outcome.orgId, outcome: outcome.summary };
  }

  const paymentAction = PAYMENT_EVENTS[name];
  if (paymentAction) {
    const invoice = parseInvoice(payload.data);
    if (!invoice.ok) return { kind: "failed", error: invoice.error };
    if (invoice.value.storeId !== settings.storeId) return { kind: "skipped", orgId: null, outcome: `invoice ${invoice.value.invoiceId} belongs to store ${invoice.value.storeId}, not ours` };
    if (fetched && !fetched.ok) return { kind: "retry", error: fetched.error };
    let summary = `invoice ${invoice.value.invoiceId} of subscription ${invoice.value.subscriptionId}`;
    if (fetched?.snapshot) {
      const outcome = await applySubscriptionSnapshot(tx, fetched.snapshot, { settings, reference: payload.reference, source, now });
      summary += `; ${outcome.summary}`;
    }
    const linked = await tx.selectFrom("subscription").select("org_id").where("provider", "=", PROVIDER).where("provider_subscription_id", "=", invoice.value.subscriptionId).executeTakeFirst();
    if (!linked) return { kind: "skipped", orgId: null, outcome: `${summary}: the subscription belongs to no org here` };
    await noteOnce(tx, linked.org_id, paymentAction, `subscription ${invoice.value.subscriptionId}`, event.id, now, {
      invoice: invoice.value.invoiceId,
      status: invoice.value.status,
      billing_reason: invoice.value.billingReason,
      total: invoice.value.total,
      currency: invoice.value.currency,
    });
    return { kind: "applied", orgId: linked.org_id, outcome: `${summary}: ${paymentAction}` };
  }

  const orderAction = ORDER_EVENTS[name];
  if (orderAction) {
    const order = parseOrder(payload.data);
    if (!order.ok) return { kind: "failed", error: order.error };
    if (order.value.storeId !== settings.storeId) return { kind: "skipped", orgId: null, outcome: `order ${order.value.orderId} belongs to store ${order.value.storeId}, not ours` };
    const orgId = await orgOfOrder(tx, order.value.orderId, payload.reference);
    if (!orgId) return { kind: "skipped", orgId: null, outcome: `order ${order.value.orderId} was not placed through a checkout this server issued` };
    // Orders grant nothing by themselves: the subscription events that come with them do.
    await noteOnce(tx, orgId, orderAction, `order ${order.value.orderId}`, event.id, now, { status: order.value.status, total: order.value.total, currency: order.value.currency, variant: order.value.variantId });
    return { kind: "applied", orgId, outcome: `order ${order.value.orderId}: ${orderAction}` };
  }

  return { kind: "skipped", orgId: null, outcome: `${name} is not an event billing acts on` };
}

/** The org an order belongs to: through its subscription, or the checkout we issued. */
async function orgOfOrder(tx: Database, orderId: string, reference: CheckoutReference | null): Promise<string | null> {
  const viaSubscription = await tx.selectFrom("subscription").select("org_id").where("provider", "=", PROVIDER).where("provider_order_id", "=", orderId).executeTakeFirst();
  if (viaSubscription) return viaSubscription.org_id;
  if (!reference) return null;
  const checkout = await tx.selectFrom("billing_checkout").select("org_id").where("id", "=", reference.checkoutId).where("org_id", "=", reference.orgId).executeTakeFirst();
  return checkout?.org_id ?? null;
}

/** An audit note for a payment or an order, written once per webhook event even when it is replayed. */
async function noteOnce(tx: Database, orgId: string, action: string, target: string, eventId: string, at: Date, details: Record<string, unknown>) {
  const already = await tx
    .selectFrom("audit_event")
    .select("id")
    .where("org_id", "=", orgId)
    .where("action", "=", action)
    .where(sql<string>`metadata->>'webhook_event'`, "=", eventId)
    .executeTakeFirst();
  if (already) return;
  await recordAuditEvent(tx, { orgId, actor: PROVIDER_ACTOR, action, target, metadata: { ...details, webhook_event: eventId }, at });
}

/** The operator's "replay": the event goes back in the queue, as if it had just arrived. */
export async function replayWebhookEvent(db: Database, id: string, now = new Date()): Promise<boolean> {
  if (!/^\d{1,18}$/.test(id)) return false;
  const result = await db
    .updateTable("webhook_event")
    .set({ status: "pending", attempts: 0, next_attempt_at: now, claim_token: null, locked_until: null, error: null, processed_at: null })
    .where("id", "=", id)
    .where("body", "is not", null)
    // One being applied right now finishes first.
    .where((eb) => eb.or([eb("status", "!=", "processing"), eb("locked_until", "<", now)]))
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
