// Billing over HTTP, against the production build in hosted mode with the real
// LemonSqueezy SDK talking to the fake API (the spawned server's fetch is
// redirected by a preload). The webhook worker runs in this process against
// the same database, so each test decides when events are applied.
import { request as httpRequest } from "node:http";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { applyDueWebhookEvents } from "../../app/.server/billing/events";
import { billingAuditActions, createOrgWithCheckout, orgBilling, webhookEvents } from "../factories/billing";
import { addMember } from "../factories/orgs";
import { createUser, type TestUser, sessionCookieFor } from "../factories/users";
import {
  FakeLemonSqueezy,
  interceptLemonSqueezy,
  lemonSqueezyServerOptions,
  signWebhook,
  TEST_BILLING_ENV,
  TEST_BILLING_SETTINGS,
  type SignedWebhook,
} from "../fakes/lemonsqueezy";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { newFormToken } from "../../app/.server/form-guards/one-time-form";
import { eventually, pageRequests } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());

/** A fresh one-time token, as a creating form carries from its render. */
const formToken = () => newFormToken();
const fake = new FakeLemonSqueezy();
const logger = pino({ level: "silent" });
const HOSTED = { GATEHOUSE_MODE: "hosted", OPERATOR_NAME: "Acme Hosting Ltd", OPERATOR_EMAIL: "privacy@acme.example" };

let server: ServerProcess;
let restoreFetch: () => void;
beforeAll(async () => {
  await truncateAll(db);
  const fakeUrl = await fake.start();
  restoreFetch = interceptLemonSqueezy(fakeUrl);
  const ls = lemonSqueezyServerOptions(fakeUrl);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), ...HOSTED, ...TEST_BILLING_ENV, ...ls.env }, { nodeArgs: ls.nodeArgs });
}, 120_000);
afterAll(async () => {
  restoreFetch?.();
  await server?.stop();
  await Promise.all([db.destroy(), fake.stop()]);
});
beforeEach(async () => {
  await truncateAll(db);
  fake.reset();
});

// ---- requests -------------------------------------------------------------

const signIn = (user: TestUser) => sessionCookieFor(db, user);
const { get, post } = pageRequests(() => server);
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "").replaceAll("&#x27;", "'");

/** LemonSqueezy's side of a webhook: a server-to-server POST with no browser headers. */
const sendWebhook = (body: string | Buffer, signature: string | null) =>
  fetch(`${server.url}/webhooks/lemonsqueezy`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": "LemonSqueezy-Hookshot", ...(signature === null ? {} : { "X-Signature": signature }) },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
async function deliver(webhook: SignedWebhook) {
  const response = await sendWebhook(webhook.body, webhook.signature);
  expect(response.status, await response.clone().text()).toBe(200);
}
async function applyAll() {
  for (let i = 0; i < 100; i++) {
    const pass = await applyDueWebhookEvents({ db, settings: TEST_BILLING_SETTINGS, logger });
    if (pass.claimed === 0) return;
  }
}
const storedEvents = async () => (await webhookEvents(db)).length;

/**
 * A raw POST of `bytes` bytes, declared up front (the headers go first, and the
 * server should answer before any of the body) or chunked (sent a chunk at a
 * time, with pauses to hear the answer). It stops sending once the server
 * answers: pushing on into a connection the server has closed would only race
 * its answer against a reset.
 */
function postRaw(path: string, bytes: number, chunked: boolean): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { "Content-Type": "application/json", "X-Signature": "0".repeat(64) };
    if (!chunked) headers["Content-Length"] = bytes;
    let answered = false;
    let sent = 0;
    const req = httpRequest(`${server.url}${path}`, { method: "POST", headers }, (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, sent });
      req.destroy();
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, "a");
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    void (async () => {
      req.flushHeaders();
      if (!chunked) await pause(2_000); // the answer to the declared length alone
      while (!answered && sent < bytes) {
        req.write(chunk);
        sent += chunk.length;
        await pause(chunked ? 10 : 0);
      }
      if (!answered) req.end();
    })();
  });
}

// ---- webhooks -------------------------------------------------------------

describe("POST /webhooks/lemonsqueezy", () => {
  const event = () => {
    const sub = fake.createSubscription({ customData: null });
    return fake.subscriptionWebhook("subscription_updated", sub.id);
  };

  it("answers 401, never 500, to forged, missing and short signatures, and stores nothing", async () => {
    const { body, signature } = event();
    const attempts: Array<[string, string | null]> = [
      ["forged with another secret", signWebhook(body, "attacker-secret")],
      ["missing", null],
      ["empty", ""],
      ["short", "abc123"],
      ["one digit short", signature.slice(0, 63)],
      ["one digit long", `${signature}0`],
      ["not hex", "g".repeat(64)],
      ["prefixed", `sha256=${signature}`],
      ["a signature of another body", signWebhook(`${body} `)],
    ];
    for (const [what, header] of attempts) {
      const response = await sendWebhook(body, header);
      expect({ what, status: response.status }).toEqual({ what, status: 401 });
      expect(await response.json()).toEqual({ error: "Invalid or missing X-Signature." });
    }
    expect(await storedEvents()).toBe(0);
    const refusals = await eventually(() => {
      const lines = server.logs.filter((line) => line.msg === "billing webhook refused");
      return lines.length >= attempts.length ? lines : undefined;
    }, 5_000);
    expect(JSON.stringify(refusals)).not.toContain(TEST_BILLING_ENV.LEMONSQUEEZY_WEBHOOK_SECRET);
  });

  it("answers 401 to the same JSON re-serialized under the original signature", async () => {
    const { body, signature } = event();
    const parsed = JSON.parse(body) as Record<string, unknown>;
    for (const variant of [JSON.stringify(parsed, null, 2), JSON.stringify({ data: parsed.data, meta: parsed.meta }), body.replace(/"/, ' "')]) {
      expect((await sendWebhook(variant, signature)).status).toBe(401);
    }
    expect((await sendWebhook(body, signature)).status).toBe(200);
    expect(await storedEvents()).toBe(1);
  });

  it("takes the same event three times: 200 each time, stored once, applied once", async () => {
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    const webhook = fake.subscriptionWebhook("subscription_created", sub.id);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await (await sendWebhook(webhook.body, webhook.signature)).json());
    expect(answers.map((a) => a.duplicate)).toEqual([false, true, true]);
    await applyAll();
    const events = await webhookEvents(db);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ deliveries: 3, status: "applied", attempts: 1 });
    expect(await billingAuditActions(db, org.id)).toEqual(["billing.subscription_started"]);
  });

  it("answers 413 to a 5 MB body before reading it, declared or chunked", async () => {
    // Declared: refused on the Content-Length alone, before a byte of the body.
    expect(await postRaw("/webhooks/lemonsqueezy", 5 * 1024 * 1024, false)).toEqual({ status: 413, sent: 0 });
    // Chunked: refused once it passes the limit (100 KiB here), long before 5 MB.
    const chunked = await postRaw("/webhooks/lemonsqueezy", 5 * 1024 * 1024, true);
    expect(chunked.status).toBe(413);
    expect(chunked.sent).toBeLessThan(1024 * 1024);
    expect(await storedEvents()).toBe(0);
    expect((await get("/healthz")).status).toBe(200);
  });

  it("answers 400 to malformed bodies that carry a valid signature, and 401 to those that do not", async () => {
    for (const body of ["{", "null", "[]", '{"meta":{}}', '{"data":{}}', Buffer.from([0x7b, 0xc3, 0x28, 0x7d])]) {
      const response = await sendWebhook(body, signWebhook(body));
      expect(response.status).toBe(400);
      expect((await response.json()).error).toBeTruthy();
      expect((await sendWebhook(body, null)).status).toBe(401);
    }
    expect(await storedEvents()).toBe(0);
  });

  it("stores events for unknown orgs and unknown event names, answering 200", async () => {
    const stranger = fake.createSubscription({ customData: { org_id: "1b4e28ba-2fa1-41d2-883f-0016d3cca427", checkout_id: "6fa459ea-ee8a-4ca4-894e-db77e160355e" } });
    await deliver(fake.subscriptionWebhook("subscription_created", stranger.id));
    const unknown = JSON.stringify({ meta: { event_name: "affiliate_activated", webhook_id: "aff-1" }, data: { type: "affiliates", id: "3", attributes: {} } });
    expect((await sendWebhook(unknown, signWebhook(unknown))).status).toBe(200);
    await applyAll();
    expect((await webhookEvents(db)).map((e) => [e.event_name, e.status])).toEqual([
      ["subscription_created", "skipped"],
      ["affiliate_activated", "skipped"],
    ]);
    expect(await db.selectFrom("subscription").select("id").execute()).toEqual([]);
  });

  it("needs no browser headers (CSRF does not apply) and only takes POST", async () => {
    expect((await get("/webhooks/lemonsqueezy")).status).toBe(405);
  });
});

// ---- the lifecycle, and what each state allows ------------------------------

describe("a Team subscription from checkout to expiry", () => {
  it("upgrades through our checkout, then gives the access each state allows", async () => {
    const owner = await createUser(db, { email: "owner@example.com" });
    const member = await createUser(db, { email: "member@example.com" });
    const ownerCookie = await signIn(owner);
    const memberCookie = await signIn(member);

    // A hosted org starts on Solo.
    expect((await post("/orgs/new", { name: "Acme", slug: "acme", formToken: formToken() }, ownerCookie)).status).toBe(302);
    const org = await db.selectFrom("org").select(["id", "plan", "seat_limit"]).where("slug", "=", "acme").executeTakeFirstOrThrow();
    expect(org).toMatchObject({ plan: "solo", seat_limit: 3 });
    await addMember(db, org.id, member, "member");
    const billingPage = await pageText(await get("/orgs/acme/billing", ownerCookie));
    expect(billingPage).toContain("Solo (free)");
    expect(billingPage).toContain("Upgrade to Team");
    expect((await get("/orgs/acme/billing", memberCookie)).status).toBe(403);
    // The Billing tab is there for owners and admins, not for members.
    expect(await pageText(await get("/orgs/acme", ownerCookie))).toMatch(/<a[^>]*href="\/orgs\/acme\/billing"[^>]*>Billing<\/a>/);
    expect(await pageText(await get("/orgs/acme", memberCookie))).not.toContain('href="/orgs/acme/billing"');

    // Upgrade: the server creates the checkout and sends the browser there.
    const upgrade = await post("/orgs/acme/billing?intent=upgrade", { intent: "upgrade", seats: "5" }, ownerCookie);
    expect(upgrade.status).toBe(303);
    expect(upgrade.headers.get("location")).toBe(fake.checkouts[0]!.url);
    const checkout = await db.selectFrom("billing_checkout").select(["id", "seats"]).where("org_id", "=", org.id).executeTakeFirstOrThrow();
    const custom = fake.checkouts[0]!.body.data.attributes.checkout_data.custom;
    expect(custom).toEqual({ org_id: org.id, checkout_id: checkout.id });

    // The buyer pays; LemonSqueezy sends its webhooks with our custom data.
    const sub = fake.createSubscription({ quantity: 5, customData: custom });
    await deliver(fake.orderWebhook("order_created", { orderId: sub.orderId, customData: custom }));
    await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
    await applyAll();
    expect(await orgBilling(db, org.id)).toMatchObject({ plan: "team", seat_limit: 5, billing_status: "active" });
    const teamPage = await pageText(await get("/orgs/acme/billing", ownerCookie));
    expect(teamPage).toContain("Team");
    expect(teamPage).toContain("Active");
    expect(teamPage).toContain("2 used of 5 bought");
    expect(teamPage).toContain("Renews");
    expect(teamPage).toContain("Manage subscription");
    // Team features: API keys.
    const created = await post("/orgs/acme/api-keys?intent=create", { intent: "create", name: "CI", formToken: formToken() }, ownerCookie);
    expect(created.status).toBe(200);
    const key = /gk_[a-z0-9]+/.exec(await created.text())![0];

    const invite = (email: string) => post("/orgs/acme/invitations?intent=invite", { intent: "invite", email, role: "member", formToken: formToken() }, ownerCookie);
    const pushEvent = () =>
      fetch(`${server.url}/api/v1/audit-events`, { method: "POST", headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json" }, body: JSON.stringify({ action: "deploy.finished" }) });

    // The renewal fails: full access, with a warning on every org page.
    fake.updateSubscription(sub.id, { status: "past_due" });
    await deliver(fake.invoiceWebhook("subscription_payment_failed", sub.id, { status: "pending" }));
    await deliver(fake.subscriptionWebhook("subscription_updated", sub.id));
    await applyAll();
    const pastDue = await pageText(await get("/orgs/acme", memberCookie));
    expect(pastDue).toContain("The last payment for this organization failed");
    expect((await invite("one@example.com")).status).toBe(200);
    expect((await pushEvent()).status).toBe(201);

    // Recovered: the warning goes.
    fake.updateSubscription(sub.id, { status: "active" });
    await deliver(fake.invoiceWebhook("subscription_payment_recovered", sub.id));
    await applyAll();
    expect(await pageText(await get("/orgs/acme", memberCookie))).not.toContain("payment for this organization failed");

    // Cancelled: full access until ends_at.
    fake.updateSubscription(sub.id, { status: "cancelled", endsAt: "2099-01-31T00:00:00.000000Z" });
    await deliver(fake.subscriptionWebhook("subscription_cancelled", sub.id));
    await applyAll();
    expect(await pageText(await get("/orgs/acme", memberCookie))).toContain("full access until 2099-01-31");
    expect((await invite("two@example.com")).status).toBe(200);

    // Expired: read-only. Reading works; changes get a 403 that says why.
    fake.updateSubscription(sub.id, { status: "expired", endsAt: "2026-11-01T00:00:00.000000Z" });
    await deliver(fake.subscriptionWebhook("subscription_expired", sub.id));
    await applyAll();
    for (const path of ["/orgs/acme", "/orgs/acme/members", "/orgs/acme/audit", "/orgs/acme/api-keys"]) {
      const page = await get(path, ownerCookie);
      expect({ path, status: page.status }).toEqual({ path, status: 200 });
      expect(await pageText(page)).toContain("This organization is read-only because the subscription has expired");
    }
    const refusedInvite = await invite("three@example.com");
    expect(refusedInvite.status).toBe(403);
    expect(await pageText(refusedInvite)).toContain("read-only because the subscription has expired");
    expect((await post("/orgs/acme/api-keys?intent=create", { intent: "create", name: "More", formToken: formToken() }, ownerCookie)).status).toBe(403);
    expect((await post("/orgs/acme/members", { intent: "role", userId: member.id, role: "admin" }, ownerCookie)).status).toBe(403);
    const refusedPush = await pushEvent();
    expect(refusedPush.status).toBe(403);
    expect((await refusedPush.json()).error).toContain("read-only");
    expect((await fetch(`${server.url}/api/v1/audit-events`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(200);
    // The audit history still exports.
    expect((await get("/orgs/acme/audit?format=json", ownerCookie)).status).toBe(200);
    // Members can still take their data out and leave.
    const exported = await get("/settings/export.json", memberCookie);
    expect(exported.status).toBe(200);
    const left = await post("/orgs/acme/members", { intent: "leave", confirm: "yes" }, memberCookie);
    expect(left.status).toBe(302);
    expect(left.headers.get("location")).toBe("/orgs");
    // Taking access away still works (a leaked key, a stale invitation); anything else does not.
    const pending = await db.selectFrom("org_invitation").select(["id", "email"]).where("org_id", "=", org.id).where("revoked_at", "is", null).orderBy("email").execute();
    expect(pending.map((p) => p.email)).toEqual(["one@example.com", "two@example.com"]);
    expect((await post("/orgs/acme/invitations?intent=manage", { intent: "resend", invitationId: pending[0]!.id }, ownerCookie)).status).toBe(403);
    expect((await post("/orgs/acme/invitations?intent=manage", { intent: "revoke", invitationId: pending[0]!.id, confirm: "yes" }, ownerCookie)).status).toBe(200);
    // A made-up mix (a create dressed as a revoke) is refused by the route's own form schema.
    expect((await post("/orgs/acme/api-keys?intent=create", { intent: "revoke", name: "Sneaky" }, ownerCookie)).status).toBe(400);
    const keyId = (await db.selectFrom("api_key").select("id").where("org_id", "=", org.id).executeTakeFirstOrThrow()).id;
    expect((await post("/orgs/acme/api-keys?intent=revoke", { intent: "revoke", keyId, confirm: "yes" }, ownerCookie)).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/org`, { headers: { Authorization: `Bearer ${key}` } })).status).toBe(401);
    // And Billing stays open: the way back.
    const again = await pageText(await get("/orgs/acme/billing", ownerCookie));
    expect(again).toContain("Subscribe again to Team");
    expect((await get("/orgs/acme/billing?portal=open", ownerCookie)).status).toBe(303);

    // Nothing was deleted on the way.
    expect((await db.selectFrom("api_key").select("id").where("org_id", "=", org.id).execute()).length).toBe(1);
    expect(await billingAuditActions(db, org.id)).toEqual([
      "billing.checkout_started",
      "billing.order_created",
      "billing.subscription_started",
      "billing.subscription_changed",
      "billing.payment_failed",
      "billing.subscription_changed",
      "billing.payment_recovered",
      "billing.subscription_changed",
      "billing.subscription_changed",
    ]);
  });
});

// ---- the billing page -----------------------------------------------------

describe("/orgs/:slug/billing", () => {
  async function subscribed() {
    const owner = await createUser(db, { email: "owner@example.com" });
    const org = await createOrgWithCheckout(db, { owner });
    const sub = fake.createSubscription({ customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
    await applyAll();
    return { owner, org, sub, cookie: await signIn(owner) };
  }

  it("sends owners to a customer portal URL fetched fresh each time", async () => {
    const { cookie, sub } = await subscribed();
    fake.requests.length = 0;
    // A plain link (GET), so it is never a form submission the CSP's form-action would stop.
    expect(await pageText(await get("/orgs/acme/billing", cookie))).toContain('href="/orgs/acme/billing?portal=open"');
    const first = await get("/orgs/acme/billing?portal=open", cookie);
    const second = await get("/orgs/acme/billing?portal=open", cookie);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(first.headers.get("location")).toMatch(/^https:\/\/gatehouse-test\.lemonsqueezy\.com\/billing\?subscription=/);
    expect(second.headers.get("location")).not.toBe(first.headers.get("location"));
    expect(fake.requestsTo(`/v1/subscriptions/${sub.id}`)).toHaveLength(2);
  });

  it("gives a browser without JavaScript a link to the checkout (form-action 'self' would stop a redirect)", async () => {
    const owner = await createUser(db, { email: "owner@example.com" });
    await createOrgWithCheckout(db, { owner });
    const response = await fetch(`${server.url}/orgs/acme/billing`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document", Cookie: await signIn(owner) },
      body: "intent=upgrade&seats=4",
      redirect: "manual",
    });
    expect(response.status).toBe(200);
    const page = await pageText(response);
    expect(page).toContain("Your checkout is ready.");
    expect(page).toContain(`href="${fake.checkouts[0]!.url.replaceAll("&", "&amp;")}"`);
    expect(response.headers.get("content-security-policy")).toContain("form-action 'self'");
  });

  it("says so, and keeps the form, when LemonSqueezy fails to create the checkout", async () => {
    const owner = await createUser(db, { email: "owner@example.com" });
    await createOrgWithCheckout(db, { owner });
    fake.answerNext({ status: 500, body: { errors: [{ status: "500", title: "Server Error" }] } });
    const response = await post("/orgs/acme/billing?intent=upgrade", { intent: "upgrade", seats: "3" }, await signIn(owner));
    expect(response.status).toBe(502);
    expect(await pageText(response)).toContain("Nothing was charged");
  });

  it("refuses a second subscription and bad seat counts", async () => {
    const { cookie } = await subscribed();
    expect((await post("/orgs/acme/billing?intent=upgrade", { intent: "upgrade", seats: "3" }, cookie)).status).toBe(409);
    for (const seats of ["0", "-1", "2.5", "lots", "100000"]) expect((await post("/orgs/acme/billing?intent=upgrade", { intent: "upgrade", seats }, cookie)).status).toBe(400);
  });

  it("is for owners and admins of that org only", async () => {
    const { org } = await subscribed();
    const admin = await createUser(db, { email: "admin@example.com" });
    const outsider = await createUser(db, { email: "outsider@example.com" });
    await addMember(db, org.id, admin, "admin");
    expect((await get("/orgs/acme/billing", await signIn(admin))).status).toBe(200);
    expect((await get("/orgs/acme/billing", await signIn(outsider))).status).toBe(404);
    expect((await get("/orgs/acme/billing?portal=open", await signIn(outsider))).status).toBe(404);
    expect((await get("/orgs/acme/billing")).status).toBe(302); // to the login page
  });
});

// ---- Solo -----------------------------------------------------------------

describe("the Solo plan", () => {
  it("allows one org of three seats and no API keys, and says so", async () => {
    const ada = await createUser(db);
    const cookie = await signIn(ada);
    expect((await post("/orgs/new", { name: "First", slug: "first", formToken: formToken() }, cookie)).status).toBe(302);
    const second = await post("/orgs/new", { name: "Second", slug: "second", formToken: formToken() }, cookie);
    expect(second.status).toBe(403);
    expect(await pageText(second)).toContain("On the free Solo plan you can own one organization");

    const key = await post("/orgs/first/api-keys?intent=create", { intent: "create", name: "CI", formToken: formToken() }, cookie);
    expect(key.status).toBe(403);
    expect(await pageText(key)).toContain("API keys come with the Team plan");

    for (const email of ["b@example.com", "c@example.com"]) expect((await post("/orgs/first/invitations?intent=invite", { intent: "invite", email, role: "member", formToken: formToken() }, cookie)).status).toBe(200);
    expect((await post("/orgs/first/invitations?intent=invite", { intent: "invite", email: "d@example.com", role: "member", formToken: formToken() }, cookie)).status).toBe(409);
  });
});

// ---- the operator's webhook log -------------------------------------------

describe("/admin/webhooks", () => {
  async function operator() {
    const user = await createUser(db, { email: "operator@example.com" });
    await db.updateTable("user").set({ is_operator: true }).where("id", "=", user.id).execute();
    return signIn(user);
  }

  it("shows the log with status and error to operators only, and replays an event", async () => {
    const cookie = await operator();
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
    const bad = JSON.stringify({ meta: { event_name: "subscription_updated", webhook_id: "bad-1" }, data: { type: "subscriptions", id: "1", attributes: { status: "weird" } } });
    expect((await sendWebhook(bad, signWebhook(bad))).status).toBe(200);
    await applyAll();

    const page = await pageText(await get("/admin/webhooks", cookie));
    expect(page).toContain("subscription_created");
    expect(page).toContain(`subscription ${sub.id} → active, team, 5 seats`);
    expect(page).toContain("not a subscription LemonSqueezy would send");
    expect((await get("/admin/webhooks", await signIn(await createUser(db, { email: "nobody@example.com" })))).status).toBe(404);

    const [created] = await webhookEvents(db);
    const replay = await post("/admin/webhooks?intent=replay", { intent: "replay", eventId: created!.id }, cookie);
    expect(replay.status).toBe(200);
    expect((await webhookEvents(db))[0]).toMatchObject({ status: "pending", attempts: 0 });
    await applyAll();
    expect((await webhookEvents(db))[0]).toMatchObject({ status: "applied", attempts: 1 });
    expect(await billingAuditActions(db, org.id)).toEqual(["billing.subscription_started"]);
    expect((await post("/admin/webhooks?intent=replay", { intent: "replay", eventId: "424242" }, cookie)).status).toBe(409);
  });

  it("reconciles on demand, healing a webhook that never came", async () => {
    const cookie = await operator();
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ customData: org.customData });
    await deliver(fake.subscriptionWebhook("subscription_created", sub.id));
    await applyAll();
    fake.updateSubscription(sub.id, { status: "unpaid" }); // its webhook is lost
    const response = await post("/admin/webhooks?intent=reconcile", { intent: "reconcile" }, cookie);
    expect(response.status).toBe(200);
    expect(await pageText(response)).toContain("Reconciled 1 subscriptions: 1 updated");
    expect(await orgBilling(db, org.id)).toMatchObject({ billing_status: "unpaid" });
  });
});

// ---- throughput -----------------------------------------------------------

describe("webhook throughput", () => {
  it("measures verified-and-stored events/s over HTTP and applied events/s by the worker", async () => {
    const ORGS = 50;
    const EVENTS_PER_ORG = 20;
    const webhooks: SignedWebhook[] = [];
    for (let i = 0; i < ORGS; i++) {
      const org = await createOrgWithCheckout(db, { slug: `org-${i}` });
      const sub = fake.createSubscription({ customData: org.customData });
      webhooks.push(fake.subscriptionWebhook("subscription_created", sub.id));
      for (let j = 1; j < EVENTS_PER_ORG; j++) {
        fake.updateSubscription(sub.id, { quantity: 5 + j, status: j % 3 === 0 ? "past_due" : "active" });
        webhooks.push(fake.subscriptionWebhook("subscription_updated", sub.id));
      }
    }
    const CONCURRENCY = 16;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < webhooks.length) {
          const webhook = webhooks[next++]!;
          const response = await sendWebhook(webhook.body, webhook.signature);
          if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
          await response.arrayBuffer();
        }
      }),
    );
    const receiveSeconds = (performance.now() - started) / 1000;
    expect(await storedEvents()).toBe(webhooks.length);

    const applyStarted = performance.now();
    const workers = [0, 1, 2].map(() => ({ db, settings: TEST_BILLING_SETTINGS, logger, worker: { batchSize: 50 } }));
    for (;;) {
      const passes = await Promise.all(workers.map((w) => applyDueWebhookEvents(w)));
      if (passes.every((p) => p.claimed === 0)) break;
    }
    const applySeconds = (performance.now() - applyStarted) / 1000;
    const statuses = new Set((await webhookEvents(db)).map((e) => e.status));
    expect([...statuses].every((s) => s === "applied" || s === "skipped")).toBe(true);

    console.log(
      `webhook throughput: ${webhooks.length} events; verified+stored over HTTP ${(webhooks.length / receiveSeconds).toFixed(0)} events/s ` +
        `(${CONCURRENCY} concurrent senders, ${receiveSeconds.toFixed(2)} s); applied by 3 worker passes in parallel ${(webhooks.length / applySeconds).toFixed(0)} events/s (${applySeconds.toFixed(2)} s)`,
    );
  }, 120_000);
});

// ---- the server's own worker ------------------------------------------------

describe("the background worker", () => {
  let worker: ServerProcess;
  beforeAll(async () => {
    const ls = lemonSqueezyServerOptions(fake.url);
    worker = await startServer({ DATABASE_URL: workerDatabaseUrl(), ...HOSTED, ...TEST_BILLING_ENV, ...ls.env, RUN_WORKER: "true" }, { nodeArgs: ls.nodeArgs });
  }, 60_000);
  afterAll(() => worker?.stop());

  it("starts with billing on and applies events as they arrive", async () => {
    expect(worker.logs.some((line) => line.msg === "billing worker started")).toBe(true);
    const org = await createOrgWithCheckout(db);
    const sub = fake.createSubscription({ quantity: 9, customData: org.customData });
    const webhook = fake.subscriptionWebhook("subscription_created", sub.id);
    const response = await fetch(`${worker.url}/webhooks/lemonsqueezy`, { method: "POST", headers: { "Content-Type": "application/json", "X-Signature": webhook.signature }, body: webhook.body });
    expect(response.status).toBe(200);
    await eventually(async () => ((await orgBilling(db, org.id)).seat_limit === 9 ? true : undefined), 10_000, "the worker to apply the event");
    expect(await orgBilling(db, org.id)).toMatchObject({ plan: "team", billing_status: "active" });
  });
});

// ---- hosted without billing -------------------------------------------------

describe("hosted mode without LemonSqueezy settings", () => {
  let bare: ServerProcess;
  beforeAll(async () => {
    const ls = lemonSqueezyServerOptions(fake.url);
    bare = await startServer({ DATABASE_URL: workerDatabaseUrl(), ...HOSTED, ...ls.env, RUN_WORKER: "true" }, { nodeArgs: ls.nodeArgs });
  }, 60_000);
  afterAll(() => bare?.stop());

  it("says billing is not configured, takes no webhooks and calls nobody", async () => {
    const owner = await createUser(db, { email: "owner@example.com" });
    await createOrgWithCheckout(db, { owner });
    const cookie = await signIn(owner);
    const page = await fetch(`${bare.url}/orgs/acme/billing`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const text = await pageText(page);
    expect(text).toContain("Billing is not configured on this installation");
    expect(text).not.toContain("Upgrade to Team");
    const upgrade = await fetch(`${bare.url}/orgs/acme/billing?intent=upgrade`, {
      method: "POST",
      headers: { Cookie: cookie, "Sec-Fetch-Site": "same-origin", "Content-Type": "application/x-www-form-urlencoded" },
      body: "intent=upgrade&seats=3",
      redirect: "manual",
    });
    expect(upgrade.status).toBe(409);
    const body = JSON.stringify({ meta: { event_name: "subscription_created" }, data: {} });
    expect((await fetch(`${bare.url}/webhooks/lemonsqueezy`, { method: "POST", headers: { "X-Signature": signWebhook(body) }, body })).status).toBe(404);
    expect(bare.logs.some((line) => line.msg === "billing worker started")).toBe(false);
    expect(fake.requests).toEqual([]);
  });
});
