// Two server processes on one PostgreSQL, as behind a load balancer: traffic
// through both, and the state they share holds — each email delivered once,
// each billing webhook applied once, one rate limit, sessions good on either,
// the purge done once. Both run hosted (Team billing on), each with its worker.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { billingAuditActions, createOrgWithCheckout, orgBilling, webhookEvents } from "../factories/billing";
import { createUser, DEFAULT_PASSWORD } from "../factories/users";
import { FakeLemonSqueezy, lemonSqueezyServerOptions, TEST_BILLING_ENV, type SignedWebhook } from "../fakes/lemonsqueezy";
import { FakeResend, resendServerEnv } from "../fakes/resend";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { eventually, HttpClient, waitlistFormStamps } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
const resend = new FakeResend();
const lemonSqueezy = new FakeLemonSqueezy();
let a: ServerProcess;
let b: ServerProcess;
let ip = 0;
const nextIp = () => `10.9.${Math.floor(++ip / 250)}.${ip % 250}`;

beforeAll(async () => {
  await truncateAll(db);
  const resendUrl = await resend.start();
  const env = {
    DATABASE_URL: workerDatabaseUrl(),
    ...resendServerEnv(resendUrl),
    WAITLIST_MIN_FILL_MS: "0",
    TRUST_PROXY: "loopback",
    PUBLIC_URL: "http://localhost:3999",
    GATEHOUSE_MODE: "hosted",
    OPERATOR_NAME: "Acme Hosting Ltd",
    OPERATOR_EMAIL: "privacy@acme.example",
    ...TEST_BILLING_ENV,
  };
  const billing = lemonSqueezyServerOptions(await lemonSqueezy.start());
  const start = () => startServer({ ...env, ...billing.env }, { nodeArgs: billing.nodeArgs });
  [a, b] = await Promise.all([start(), start()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await Promise.all([resend.stop(), lemonSqueezy.stop()]);
  await db.destroy();
});

const client = (server: ServerProcess, clientIp = nextIp()) => new HttpClient(server.url, { "X-Forwarded-For": clientIp });

describe("two replicas on one database", () => {
  it("deliver 100 emails queued through both exactly once", async () => {
    // One page view per join: a stamp admits one.
    const stamps = await waitlistFormStamps(a.url, 100);
    const statuses: number[] = [];
    // Ten at a time: a burst, not a flood the shared CI machine would time out on.
    for (let batch = 0; batch < 10; batch++) {
      const joins = Array.from({ length: 10 }, (_, j) => {
        const i = batch * 10 + j;
        return client(i % 2 ? a : b).post("/waitlist", { email: `person${i}@example.com`, name: "", company: "", website: "", startedAt: stamps[i]! });
      });
      statuses.push(...(await Promise.all(joins)).map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await eventually(() => (resend.delivered.size >= 100 ? true : undefined), 60_000, "100 deliveries");
    await new Promise((r) => setTimeout(r, 2000)); // and nothing more arrives
    expect(resend.delivered.size).toBe(100);
    expect(resend.requests.filter((r) => r.path === "/emails")).toHaveLength(100);
  }, 120_000);

  it("apply each billing webhook once, though LemonSqueezy's retries reach both", async () => {
    // Ten orgs buy Team; each subscription then changes a few times.
    const orgs = await Promise.all(Array.from({ length: 10 }, (_, i) => createOrgWithCheckout(db, { slug: `scale-${i}` })));
    const webhooks: SignedWebhook[] = [];
    const finalSeats = new Map<string, number>();
    for (const org of orgs) {
      const subscription = lemonSqueezy.createSubscription({ customData: org.customData });
      webhooks.push(lemonSqueezy.subscriptionWebhook("subscription_created", subscription.id));
      for (let seats = 6; seats <= 8; seats++) {
        lemonSqueezy.updateSubscription(subscription.id, { quantity: seats });
        webhooks.push(lemonSqueezy.subscriptionWebhook("subscription_updated", subscription.id));
      }
      finalSeats.set(org.id, 8);
    }
    // Every event arrives twice, once at each replica, at the same moment.
    const send = (server: ServerProcess, webhook: SignedWebhook) =>
      fetch(`${server.url}/webhooks/lemonsqueezy`, { method: "POST", headers: { "Content-Type": "application/json", "X-Signature": webhook.signature }, body: webhook.body });
    for (let i = 0; i < webhooks.length; i += 10) {
      const answers = await Promise.all(webhooks.slice(i, i + 10).flatMap((webhook) => [send(a, webhook), send(b, webhook)]));
      expect(answers.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    }

    const events = await eventually(async () => {
      const all = await webhookEvents(db);
      return all.length === webhooks.length && all.every((e) => e.status === "applied" || e.status === "skipped") ? all : undefined;
    }, 60_000, "both workers to apply every event");
    expect(events.map((e) => [e.deliveries, e.attempts])).toEqual(webhooks.map(() => [2, 1]));
    // (An update overtaken by a newer one of the same subscription is skipped, not applied.)
    for (const org of orgs) {
      expect(await orgBilling(db, org.id)).toMatchObject({ plan: "team", seat_limit: finalSeats.get(org.id), billing_status: "active" });
      expect((await billingAuditActions(db, org.id)).filter((action) => action === "billing.subscription_started")).toHaveLength(1);
    }
  }, 120_000);

  it("share one login rate limit and accept each other's sessions", async () => {
    await createUser(db, { email: "shared@example.com" });
    const attacker = "10.66.0.1";
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const response = await client(i % 2 ? a : b, attacker).post("/login", { email: "shared@example.com", password: "not the password" });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);

    const owner = await createUser(db, { email: "owner@example.com" });
    const onA = client(a);
    expect((await onA.post("/login", { email: "owner@example.com", password: DEFAULT_PASSWORD })).headers.get("location")).toBe("/home");
    // The same browser, now sent to the other replica.
    const onB = client(b);
    onB.copyCookiesFrom(onA);
    const settings = await onB.get("/settings");
    expect(settings.status).toBe(200);
    expect(await settings.text()).toContain(owner.email);
  }, 60_000);

  it("purge each account past its grace period once, whichever replica gets there", async () => {
    const doomed = await Promise.all(["d1", "d2", "d3", "d4", "d5"].map((n) => createUser(db, { email: `${n}@example.com` })));
    await db
      .updateTable("user")
      .set({ deletion_requested_at: new Date(), purge_after: new Date(Date.now() - 1000) })
      .where("id", "in", doomed.map((u) => u.id))
      .execute();
    // The purge runs every minute in every replica; each logs how many it erased.
    const purgedSoFar = () =>
      [...a.logs, ...b.logs].filter((l) => l.msg === "accounts purged after their grace period").reduce((n, l) => n + Number(l.purged), 0);
    await eventually(() => (purgedSoFar() >= 5 ? true : undefined), 80_000, "the purge");
    await new Promise((r) => setTimeout(r, 1500)); // a double purge would show up by now
    expect(purgedSoFar()).toBe(5);
    expect(await db.selectFrom("user").select("id").where("id", "in", doomed.map((u) => u.id)).execute()).toEqual([]);
  }, 120_000);
});
