// Checkouts and the customer portal through the real SDK, against the fake API.
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { billingAuditActions, createOrgWithCheckout } from "../../../test/factories/billing";
import { createTestOrg } from "../../../test/factories/orgs";
import { createUser } from "../../../test/factories/users";
import { TEST_BILLING_SETTINGS, TEST_STORE_ID, TEST_TEAM_VARIANT_ID } from "../../../test/fakes/lemonsqueezy";
import { fakeLemonSqueezyForThisFile } from "../../../test/fakes/lemonsqueezy-in-process";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { customerPortalUrl, startCheckout } from "./checkout";
import { applySubscriptionSnapshot } from "./subscriptions";
import { parseSubscription } from "./resources";

const db = connect(workerDatabaseUrl());
const fake = fakeLemonSqueezyForThisFile();
afterAll(() => Promise.all([db.destroy()]));
beforeEach(() => truncateAll(db));

const publicUrl = new URL("https://accounts.example.com");

async function upgrade(seats = 4) {
  const owner = await createUser(db);
  const org = await createTestOrg(db, { slug: "acme", plan: "solo", seatLimit: 3, owner });
  const result = await startCheckout(db, TEST_BILLING_SETTINGS, { org, seats, actor: { userId: owner.id, label: owner.email }, email: owner.email, ip: "203.0.113.9", publicUrl });
  return { owner, org, result };
}

describe("startCheckout", () => {
  it("creates the checkout with the SDK, carrying our org and checkout ids in custom data", async () => {
    const { owner, org, result } = await upgrade(4);
    expect(result).toEqual({ ok: true, url: fake.checkouts[0]!.url });
    const [request] = fake.requestsTo("/v1/checkouts");
    expect(request!.method).toBe("POST");
    expect(request!.headers.authorization).toBe(`Bearer ${TEST_BILLING_SETTINGS.apiKey}`);
    const checkout = await db.selectFrom("billing_checkout").selectAll().executeTakeFirstOrThrow();
    const sent = request!.body as any;
    expect(sent.data.relationships).toEqual({ store: { data: { type: "stores", id: TEST_STORE_ID } }, variant: { data: { type: "variants", id: TEST_TEAM_VARIANT_ID } } });
    // Exactly our keys, snake_case, as they will come back in meta.custom_data.
    expect(sent.data.attributes.checkout_data.custom).toEqual({ org_id: org.id, checkout_id: checkout.id });
    expect(sent.data.attributes.checkout_data.email).toBe(owner.email);
    expect(sent.data.attributes.checkout_data.variant_quantities).toEqual([{ variant_id: Number(TEST_TEAM_VARIANT_ID), quantity: 4 }]);
    expect(sent.data.attributes.product_options.redirect_url).toBe("https://accounts.example.com/orgs/acme/billing?checkout=done");
    expect(checkout).toMatchObject({ org_id: org.id, seats: 4, variant_id: TEST_TEAM_VARIANT_ID, created_by: owner.id, provider_checkout_id: fake.checkouts[0]!.id });
    expect(await billingAuditActions(db, org.id)).toEqual(["billing.checkout_started"]);
  });

  it("keeps nothing and says so when LemonSqueezy refuses", async () => {
    fake.answerNext({ status: 422, body: { errors: [{ status: "422", title: "Unprocessable Entity", detail: "The variant is not available." }] } });
    const { org, result } = await upgrade();
    expect(result).toMatchObject({ ok: false, reason: "provider", message: expect.stringContaining("Nothing was charged") });
    expect(await db.selectFrom("billing_checkout").select("id").execute()).toEqual([]);
    expect(await billingAuditActions(db, org.id)).toEqual([]);
  });

  it("refuses a second subscription while one is running", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    const snapshot = parseSubscription(fake.subscriptionResource(sub));
    if (!snapshot.ok) throw new Error(snapshot.error);
    await db.transaction().execute((tx) => applySubscriptionSnapshot(tx, snapshot.value, { settings: TEST_BILLING_SETTINGS, reference: org.customData && { orgId: org.id, checkoutId: org.checkoutId }, source: "test" }));
    const owner = await createUser(db);
    const result = await startCheckout(db, TEST_BILLING_SETTINGS, { org, seats: 2, actor: { userId: owner.id, label: owner.email }, email: owner.email, ip: null, publicUrl });
    expect(result).toMatchObject({ ok: false, reason: "already-subscribed" });
    expect(fake.requestsTo("/v1/checkouts")).toEqual([]);
  });
});

describe("customerPortalUrl", () => {
  it("fetches a fresh signed URL from the subscription every time", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    const snapshot = parseSubscription(fake.subscriptionResource(sub));
    if (!snapshot.ok) throw new Error(snapshot.error);
    await db.transaction().execute((tx) => applySubscriptionSnapshot(tx, snapshot.value, { settings: TEST_BILLING_SETTINGS, reference: { orgId: org.id, checkoutId: org.checkoutId }, source: "test" }));
    fake.requests.length = 0;

    const first = await customerPortalUrl(db, TEST_BILLING_SETTINGS, org.id);
    const second = await customerPortalUrl(db, TEST_BILLING_SETTINGS, org.id);
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(first.url).toMatch(/^https:\/\/gatehouse-test\.lemonsqueezy\.com\/billing\?/);
    expect(second.url).not.toBe(first.url);
    expect(fake.requestsTo(`/v1/subscriptions/${sub.id}`)).toHaveLength(2);
  });

  it("says so when the org has no subscription, without calling LemonSqueezy", async () => {
    const org = await createOrgWithCheckout(db);
    expect(await customerPortalUrl(db, TEST_BILLING_SETTINGS, org.id)).toEqual({ ok: false, message: "This organization has no subscription yet." });
    expect(fake.requests).toEqual([]);
  });
});
