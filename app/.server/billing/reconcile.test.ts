// Reconciliation heals what a lost webhook missed, through the same ordering
// rule, and runs once a day however many processes ask.
import pino from "pino";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { billingAuditActions, createOrgWithCheckout, orgBilling } from "../../../test/factories/billing";
import { signWebhook, TEST_BILLING_SETTINGS, TEST_WEBHOOK_SECRET } from "../../../test/fakes/lemonsqueezy";
import { fakeLemonSqueezyForThisFile } from "../../../test/fakes/lemonsqueezy-in-process";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { runDailyBillingJob } from "./background";
import { applyDueWebhookEvents } from "./events";
import { deleteOldWebhookEvents, erasePayloadsNaming, reconcileSubscriptions } from "./reconcile";
import { receiveWebhook } from "./webhooks";

const db = connect(workerDatabaseUrl());
const fake = fakeLemonSqueezyForThisFile();
const logger = pino({ level: "silent" });
afterAll(() => Promise.all([db.destroy()]));
beforeEach(() => truncateAll(db));

async function subscribedOrg(slug: string) {
  const org = await createOrgWithCheckout(db, { slug });
  const sub = fake.createSubscription({ quantity: 5, customData: org.customData });
  const webhook = fake.subscriptionWebhook("subscription_created", sub.id);
  await receiveWebhook(db, { rawBody: Buffer.from(webhook.body), signature: webhook.signature, secret: TEST_WEBHOOK_SECRET });
  await applyDueWebhookEvents({ db, settings: TEST_BILLING_SETTINGS, logger });
  return { org, sub };
}

describe("reconcileSubscriptions", () => {
  it("heals a missed webhook: a payment failure and a seat change nobody told us about", async () => {
    const a = await subscribedOrg("alpha");
    const b = await subscribedOrg("bravo");
    // These changes happen at LemonSqueezy; their webhooks never arrive.
    fake.updateSubscription(a.sub.id, { status: "past_due" });
    fake.updateSubscription(b.sub.id, { quantity: 12 });
    // Someone else's purchase in the same store, not made through our checkout.
    fake.createSubscription({ customData: null });
    for (let i = 0; i < 150; i++) fake.createSubscription({ storeId: "4242", status: "expired", customData: null });

    const report = await reconcileSubscriptions(db, TEST_BILLING_SETTINGS);
    expect(report.ok).toBe(true);
    if (!report.ok) return;
    expect(report.value).toMatchObject({ listed: 153, changed: 2, unchanged: 0, problems: [] });
    expect(report.value.unlinked).toHaveLength(20);
    // It paged through the store: 100 per page.
    expect(fake.requestsTo("/v1/subscriptions").map((r) => r.query.get("page[number]"))).toEqual(["1", "2"]);
    expect(fake.requestsTo("/v1/subscriptions")[0]!.query.get("filter[store_id]")).toBe("4242");

    expect(await orgBilling(db, a.org.id)).toMatchObject({ billing_status: "past_due" });
    expect(await orgBilling(db, b.org.id)).toMatchObject({ seat_limit: 12 });
    expect(await billingAuditActions(db, a.org.id)).toEqual(["billing.subscription_started", "billing.subscription_changed"]);

    // The webhook arrives late after all: it is older than what reconciliation stored... or equal, and changes nothing.
    const late = fake.subscriptionWebhook("subscription_updated", a.sub.id);
    await receiveWebhook(db, { rawBody: Buffer.from(late.body), signature: late.signature, secret: TEST_WEBHOOK_SECRET });
    await applyDueWebhookEvents({ db, settings: TEST_BILLING_SETTINGS, logger });
    expect(await billingAuditActions(db, a.org.id)).toHaveLength(2);

    const again = await reconcileSubscriptions(db, TEST_BILLING_SETTINGS);
    expect(again.ok && again.value).toMatchObject({ changed: 0, unchanged: 2 });
  });

  it("reports LemonSqueezy being unreachable instead of changing anything", async () => {
    await subscribedOrg("alpha");
    fake.answerNext({ status: 500, body: { errors: [{ status: "500", title: "Server Error" }] } });
    const report = await reconcileSubscriptions(db, TEST_BILLING_SETTINGS);
    expect(report).toMatchObject({ ok: false, error: expect.stringContaining("HTTP 500") });
  });
});

describe("runDailyBillingJob", () => {
  it("runs once a day however many processes ask, and gives the slot back when it fails", async () => {
    await subscribedOrg("alpha");
    const now = new Date("2026-11-22T08:00:00Z");
    fake.answerNext({ status: 503, body: { errors: [{ status: "503", title: "Unavailable" }] } });
    await expect(runDailyBillingJob(db, TEST_BILLING_SETTINGS, logger, now)).rejects.toThrow(/503/);
    const [first, second] = await Promise.all([runDailyBillingJob(db, TEST_BILLING_SETTINGS, logger, now), runDailyBillingJob(db, TEST_BILLING_SETTINGS, logger, now)]);
    const ran = [first, second].filter((outcome) => outcome.ran && outcome.result !== null);
    expect(ran).toHaveLength(1);
    const later = await runDailyBillingJob(db, TEST_BILLING_SETTINGS, logger, new Date("2026-11-22T20:00:00Z"));
    expect(later).toEqual({ ran: true, result: null });
    const tomorrow = await runDailyBillingJob(db, TEST_BILLING_SETTINGS, logger, new Date("2026-11-23T08:00:00Z"));
    expect(tomorrow.ran && tomorrow.result).toMatchObject({ listed: 1 });
  });
});

describe("webhook payload retention", () => {
  it("deletes handled events after 90 days and erases bodies that name an erased person", async () => {
    const body = JSON.stringify({ meta: { event_name: "order_created", webhook_id: "o-1" }, data: { type: "orders", id: "1", attributes: { user_email: "grace/o'hara@example.com" } } });
    await receiveWebhook(db, { rawBody: Buffer.from(body), signature: signWebhook(body), secret: TEST_WEBHOOK_SECRET, now: new Date("2026-01-01T00:00:00Z") });
    const php = body.replace("grace/o'hara", "grace\\/o'hara").replace('"o-1"', '"o-2"');
    await receiveWebhook(db, { rawBody: Buffer.from(php), signature: signWebhook(php), secret: TEST_WEBHOOK_SECRET, now: new Date("2026-04-10T00:00:00Z") });
    expect(await erasePayloadsNaming(db, "Grace/O'Hara@example.com")).toBe(2);
    expect((await db.selectFrom("webhook_event").select("body").execute()).map((r) => r.body)).toEqual([null, null]);

    await db.updateTable("webhook_event").set({ status: "applied" }).execute();
    expect(await deleteOldWebhookEvents(db, new Date("2026-04-15T00:00:00Z"))).toBe(1);
  });
});
