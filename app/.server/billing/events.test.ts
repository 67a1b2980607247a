// Webhook events from arrival to effect, against PostgreSQL and the real SDK
// (its HTTP goes to the fake LemonSqueezy): stored once, applied once, never
// older over newer, nothing granted without a checkout we issued.
import pino from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { billingAuditActions, createOrgWithCheckout, orgBilling, webhookEvents } from "../../../test/factories/billing";
import { createTestOrg } from "../../../test/factories/orgs";
import { TEST_BILLING_SETTINGS, TEST_WEBHOOK_SECRET, type SignedWebhook } from "../../../test/fakes/lemonsqueezy";
import { fakeLemonSqueezyForThisFile } from "../../../test/fakes/lemonsqueezy-in-process";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { applyDueWebhookEvents, replayWebhookEvent, type WebhookWorkerDeps } from "./events";
import { orgStanding } from "./plans";
import { receiveWebhook } from "./webhooks";

const db = connect(workerDatabaseUrl());
const otherProcess = connect(workerDatabaseUrl());
const fake = fakeLemonSqueezyForThisFile();
const logger = pino({ level: "silent" });

afterAll(() => Promise.all([db.destroy(), otherProcess.destroy()]));
beforeEach(() => truncateAll(db));

let clock = new Date("2026-11-22T12:00:00Z");
beforeEach(() => (clock = new Date("2026-11-22T12:00:00Z")));
const deps = (overrides: Partial<WebhookWorkerDeps> = {}): WebhookWorkerDeps => ({ db, settings: TEST_BILLING_SETTINGS, logger, now: () => clock, random: () => 1, ...overrides });

const receive = (webhook: SignedWebhook, database = db) => receiveWebhook(database, { rawBody: Buffer.from(webhook.body), signature: webhook.signature, secret: TEST_WEBHOOK_SECRET, now: clock });
async function deliver(webhook: SignedWebhook) {
  const result = await receive(webhook);
  expect(result.status).toBe(200);
  return result;
}
const standing = async (orgId: string) => {
  const org = await orgBilling(db, orgId);
  return orgStanding({ billingStatus: org.billing_status, billingEndsAt: org.billing_ends_at }, clock).access;
};

describe("applying subscription events", () => {
  it("links a subscription bought through our checkout and sets plan, seats and status", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ quantity: 7, customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
    expect(await applyDueWebhookEvents(deps())).toMatchObject({ claimed: 1, applied: 1 });
    expect(await orgBilling(db, org.id)).toMatchObject({ plan: "team", seat_limit: 7, billing_status: "active" });
    expect(await billingAuditActions(db, org.id)).toEqual(["billing.subscription_started"]);
    const checkout = await db.selectFrom("billing_checkout").select("provider_subscription_id").where("id", "=", org.checkoutId).executeTakeFirstOrThrow();
    expect(checkout.provider_subscription_id).toBe(sub.id);
    expect((await webhookEvents(db))[0]).toMatchObject({ status: "applied", org_id: org.id, resource_type: "subscriptions", resource_id: sub.id });
  });

  it("stores the same event delivered three times once, and applies it once", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    const webhook = fake.subscriptionWebhook("subscription_created", sub.id);
    const answers = [await receive(webhook), await receive(webhook), await receive(webhook)];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.status === 200 && a.body.duplicate)).toEqual([false, true, true]);
    const events = await webhookEvents(db);
    expect(events).toHaveLength(1);
    expect(events[0]!.deliveries).toBe(3);
    await applyDueWebhookEvents(deps());
    await applyDueWebhookEvents(deps());
    expect(await billingAuditActions(db, org.id)).toEqual(["billing.subscription_started"]);
    expect(await db.selectFrom("subscription").select("id").execute()).toHaveLength(1);
  });

  it("dedupes on the body's SHA-256 when the event has no webhook_id", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    const webhook = fake.subscriptionWebhook("subscription_created", sub.id, { webhookId: null });
    await deliver(webhook);
    await deliver(webhook);
    const row = await db.selectFrom("webhook_event").select(["dedupe_key", "deliveries"]).executeTakeFirstOrThrow();
    expect(row.dedupe_key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(row.deliveries).toBe(2);
  });

  it("never lets an older update win over a newer one that arrived first", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ quantity: 5, customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
    await applyDueWebhookEvents(deps());
    fake.updateSubscription(sub.id, { quantity: 8 });
    const older = fake.subscriptionWebhook("subscription_updated", sub.id);
    fake.updateSubscription(sub.id, { status: "cancelled", endsAt: "2026-12-22T10:00:00.000000Z" });
    const newer = fake.subscriptionWebhook("subscription_cancelled", sub.id);

    await deliver(newer);
    await applyDueWebhookEvents(deps());
    await deliver(older);
    await applyDueWebhookEvents(deps());

    expect(await orgBilling(db, org.id)).toMatchObject({ billing_status: "cancelled", seat_limit: 8 });
    const events = await webhookEvents(db);
    expect(events.at(-1)).toMatchObject({ event_name: "subscription_updated", status: "skipped" });
    expect(events.at(-1)!.outcome).toContain("older than the one already applied");
  });

  it("orders by the provider's microseconds, not by arrival", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData, updatedAt: "2026-11-22T10:00:00.000001Z" });
    const first = fake.subscriptionWebhook("subscription_created", sub.id);
    fake.updateSubscription(sub.id, { status: "past_due", updatedAt: "2026-11-22T10:00:00.000002Z" });
    const second = fake.subscriptionWebhook("subscription_updated", sub.id);
    await deliver(second);
    await deliver(first);
    await applyDueWebhookEvents(deps());
    expect((await orgBilling(db, org.id)).billing_status).toBe("past_due");
  });

  it("stores events for unknown orgs and answers 200, but grants nothing", async () => {
    const org = await createOrgWithCheckout(db);
    // No custom data at all; custom data naming an org with a checkout id we never issued; another org's checkout.
    const stranger = fake.createSubscription({ customData: null });
    const forged = fake.createSubscription({ customData: { org_id: org.id, checkout_id: "00000000-0000-4000-8000-000000000000" } });
    const other = await createTestOrg(db, { slug: "other", plan: "solo", seatLimit: 3 });
    const borrowed = fake.createSubscription({ customData: { org_id: other.id, checkout_id: org.checkoutId } });
    for (const sub of [stranger, forged, borrowed]) await deliver(fake.subscriptionWebhook("subscription_created", sub.id));

    expect(await applyDueWebhookEvents(deps())).toMatchObject({ claimed: 3, applied: 0, skipped: 3 });
    expect(await db.selectFrom("subscription").select("id").execute()).toEqual([]);
    for (const id of [org.id, other.id]) expect(await orgBilling(db, id)).toMatchObject({ plan: "solo", billing_status: null });
    for (const event of await webhookEvents(db)) expect(event.outcome).toContain("not bought through a checkout this server issued");
  });

  it("does not let one checkout link a second subscription", async () => {
    const org = await createOrgWithCheckout(db);
    const first = fake.createSubscription({ customData: org.customData });
    const second = fake.createSubscription({ customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", first.id));
    await deliver(fake.subscriptionWebhook("subscription_created", second.id));
    expect(await applyDueWebhookEvents(deps())).toMatchObject({ applied: 1, skipped: 1 });
  });

  it("skips subscriptions of another store, and of variants that sell no plan here", async () => {
    const org = await createOrgWithCheckout(db);
    const elsewhere = fake.createSubscription({ storeId: "9999", customData: org.customData });
    const otherProduct = fake.createSubscription({ variantId: "5555", customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", elsewhere.id));
    await deliver(fake.subscriptionWebhook("subscription_created", otherProduct.id));
    await applyDueWebhookEvents(deps());
    const outcomes = (await webhookEvents(db)).map((e) => `${e.status}: ${e.outcome}`);
    expect(outcomes[0]).toMatch(/^skipped: .*store 9999/);
    expect(outcomes[1]).toMatch(/^skipped: .*variant 5555/);
    expect((await orgBilling(db, org.id)).plan).toBe("solo");
  });

  it("stores unknown events, answers 200, and marks them skipped", async () => {
    const body = JSON.stringify({ meta: { event_name: "license_key_created", webhook_id: "lk-1" }, data: { type: "license-keys", id: "1", attributes: {} } });
    const { signWebhook } = await import("../../../test/fakes/lemonsqueezy");
    expect((await receive({ body, signature: signWebhook(body), webhookId: "lk-1" })).status).toBe(200);
    await applyDueWebhookEvents(deps());
    expect((await webhookEvents(db))[0]).toMatchObject({ event_name: "license_key_created", status: "skipped", outcome: "license_key_created is not an event billing acts on" });
  });

  it("fails an event whose payload is not what LemonSqueezy sends, without retrying it", async () => {
    const body = JSON.stringify({ meta: { event_name: "subscription_updated", webhook_id: "bad-1" }, data: { type: "subscriptions", id: "1", attributes: { status: "sleeping" } } });
    const { signWebhook } = await import("../../../test/fakes/lemonsqueezy");
    await receive({ body, signature: signWebhook(body), webhookId: "bad-1" });
    expect(await applyDueWebhookEvents(deps())).toMatchObject({ failed: 1 });
    const [event] = await webhookEvents(db);
    expect(event).toMatchObject({ status: "failed", attempts: 1 });
    expect(event!.error).toContain("not a subscription LemonSqueezy would send");
  });
});

describe("the subscription lifecycle", () => {
  it("created → payment_failed → past_due → recovered → cancelled → expired, with the access each state gives", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ quantity: 4, customData: org.customData });
    const step = async (...webhooks: SignedWebhook[]) => {
      for (const webhook of webhooks) await deliver(webhook);
      await applyDueWebhookEvents(deps());
      const billing = await orgBilling(db, org.id);
      return { status: billing.billing_status, access: await standing(org.id), notice: orgStanding({ billingStatus: billing.billing_status, billingEndsAt: billing.billing_ends_at }, clock).notice?.tone ?? null };
    };

    expect(await step(fake.subscriptionWebhook("subscription_created", sub.id))).toEqual({ status: "active", access: "full", notice: null });

    // The renewal fails: LemonSqueezy marks the subscription past_due and sends the invoice event (our worker asks the API for the state).
    fake.updateSubscription(sub.id, { status: "past_due" });
    expect(await step(fake.invoiceWebhook("subscription_payment_failed", sub.id, { status: "pending" }))).toEqual({ status: "past_due", access: "full", notice: "warning" });
    expect(fake.requestsTo(`/v1/subscriptions/${sub.id}`)).toHaveLength(1);
    // ...and the subscription_updated that says the same changes nothing more.
    expect(await step(fake.subscriptionWebhook("subscription_updated", sub.id))).toEqual({ status: "past_due", access: "full", notice: "warning" });

    fake.updateSubscription(sub.id, { status: "active" });
    expect(await step(fake.invoiceWebhook("subscription_payment_recovered", sub.id), fake.subscriptionWebhook("subscription_updated", sub.id))).toEqual({ status: "active", access: "full", notice: null });

    fake.updateSubscription(sub.id, { status: "cancelled", endsAt: "2026-12-22T10:00:00.000000Z" });
    expect(await step(fake.subscriptionWebhook("subscription_cancelled", sub.id))).toEqual({ status: "cancelled", access: "full", notice: "warning" });

    // Past ends_at the org is read-only even before the expired event comes.
    clock = new Date("2026-12-23T00:00:00Z");
    expect(await standing(org.id)).toBe("read-only");
    fake.updateSubscription(sub.id, { status: "expired" });
    expect(await step(fake.subscriptionWebhook("subscription_expired", sub.id))).toEqual({ status: "expired", access: "read-only", notice: "error" });

    expect(await billingAuditActions(db, org.id)).toEqual([
      "billing.subscription_started",
      "billing.subscription_changed", // past_due
      "billing.payment_failed",
      "billing.subscription_changed", // active again
      "billing.payment_recovered",
      "billing.subscription_changed", // cancelled
      "billing.subscription_changed", // expired
    ]);
    // Nothing is deleted: the org, its members and its history are all still there.
    expect(await orgBilling(db, org.id)).toMatchObject({ plan: "team", seat_limit: 4 });
  });

  it("paused and unpaid make the org read-only; unpaused and resumed give access back", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
    for (const [event, status, access] of [
      ["subscription_paused", "paused", "read-only"],
      ["subscription_unpaused", "active", "full"],
      ["subscription_updated", "unpaid", "read-only"],
      ["subscription_resumed", "active", "full"],
      ["subscription_updated", "on_trial", "full"],
    ] as const) {
      fake.updateSubscription(sub.id, { status });
      await deliver(fake.subscriptionWebhook(event, sub.id));
      await applyDueWebhookEvents(deps());
      expect({ event, access: await standing(org.id) }).toEqual({ event, access });
    }
  });

  it("links a subscription through an invoice event when its subscription_created was lost", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ quantity: 3, customData: org.customData });
    await deliver(fake.invoiceWebhook("subscription_payment_success", sub.id));
    expect(await applyDueWebhookEvents(deps())).toMatchObject({ applied: 1 });
    expect(await orgBilling(db, org.id)).toMatchObject({ plan: "team", seat_limit: 3, billing_status: "active" });
    expect(await billingAuditActions(db, org.id)).toEqual(["billing.subscription_started", "billing.payment_succeeded"]);
  });

  it("records orders against the org of the checkout that placed them, granting nothing by themselves", async () => {
    const org = await createOrgWithCheckout(db);
    await deliver(fake.orderWebhook("order_created", { orderId: "555", customData: org.customData }));
    await deliver(fake.orderWebhook("order_refunded", { orderId: "555", customData: org.customData }));
    await deliver(fake.orderWebhook("order_created", { orderId: "556" }));
    expect(await applyDueWebhookEvents(deps())).toMatchObject({ applied: 2, skipped: 1 });
    expect(await billingAuditActions(db, org.id)).toEqual(["billing.order_created", "billing.order_refunded"]);
    expect((await orgBilling(db, org.id)).plan).toBe("solo");
  });
});

describe("the worker", () => {
  it("retries an invoice event while LemonSqueezy's API is down, with backoff, then applies it", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
    await applyDueWebhookEvents(deps());
    fake.updateSubscription(sub.id, { status: "past_due" });
    await deliver(fake.invoiceWebhook("subscription_payment_failed", sub.id));

    fake.answerNext({ status: 503, body: { errors: [{ status: "503", title: "Service Unavailable", detail: "Down for maintenance." }] } });
    expect(await applyDueWebhookEvents(deps())).toMatchObject({ claimed: 1, retrying: 1 });
    const waiting = (await webhookEvents(db)).at(-1)!;
    expect(waiting).toMatchObject({ status: "pending", attempts: 1 });
    expect(waiting.error).toContain("HTTP 503");
    expect(await applyDueWebhookEvents(deps())).toMatchObject({ claimed: 0 }); // not due yet
    expect(await billingAuditActions(db, org.id)).toEqual(["billing.subscription_started"]); // the failed try left nothing behind

    clock = new Date(clock.getTime() + 60_000);
    expect(await applyDueWebhookEvents(deps())).toMatchObject({ claimed: 1, applied: 1 });
    expect((await orgBilling(db, org.id)).billing_status).toBe("past_due");
  });

  it("marks an event failed after its last attempt", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    await deliver(fake.invoiceWebhook("subscription_payment_success", sub.id));
    for (let i = 0; i < 2; i++) {
      fake.answerNext({ status: 500, body: { errors: [{ status: "500", title: "Server Error" }] } });
      await applyDueWebhookEvents(deps({ worker: { maxAttempts: 2, baseDelayMs: 1 } }));
      clock = new Date(clock.getTime() + 1_000);
    }
    expect((await webhookEvents(db))[0]).toMatchObject({ status: "failed", attempts: 2 });
  });

  it("applies each event exactly once with three workers running at once", async () => {
    const orgs = await Promise.all(Array.from({ length: 20 }, (_, i) => createOrgWithCheckout(db, { slug: `org-${i}` })));
    for (const org of orgs) {
      const sub = fake.createSubscription({ customData: org.customData });
      await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
      for (const status of ["past_due", "active", "cancelled"] as const) {
        fake.updateSubscription(sub.id, { status, endsAt: status === "cancelled" ? "2027-01-01T00:00:00.000000Z" : null });
        await deliver(fake.subscriptionWebhook(status === "cancelled" ? "subscription_cancelled" : "subscription_updated", sub.id));
      }
    }
    const workers = [db, otherProcess, db].map((database) => deps({ db: database, worker: { batchSize: 7 } }));
    const totals = { claimed: 0, applied: 0 };
    for (let round = 0; round < 20; round++) {
      const passes = await Promise.all(workers.map((w) => applyDueWebhookEvents(w)));
      for (const pass of passes) {
        totals.claimed += pass.claimed;
        totals.applied += pass.applied;
      }
      if (passes.every((p) => p.claimed === 0)) break;
    }
    expect(totals.claimed).toBe(80);
    const events = await webhookEvents(db);
    expect(events.every((e) => e.attempts === 1 && (e.status === "applied" || e.status === "skipped"))).toBe(true);
    for (const org of orgs) {
      expect((await orgBilling(db, org.id)).billing_status).toBe("cancelled");
      // One audit entry per real change, never two for one event.
      expect((await billingAuditActions(db, org.id)).length).toBeLessThanOrEqual(4);
    }
  });

  it("replays an applied event without a second effect", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
    await deliver(fake.invoiceWebhook("subscription_payment_success", sub.id));
    await applyDueWebhookEvents(deps());
    const before = await billingAuditActions(db, org.id);
    for (const event of await webhookEvents(db)) expect(await replayWebhookEvent(db, event.id, clock)).toBe(true);
    expect(await applyDueWebhookEvents(deps())).toMatchObject({ claimed: 2, applied: 2 });
    expect(await billingAuditActions(db, org.id)).toEqual(before);
    expect(await replayWebhookEvent(db, "999999", clock)).toBe(false);
  });
});
