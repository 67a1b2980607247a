// A storm of LemonSqueezy webhooks for one subscription: every event sent
// several times, all of them shuffled and sent concurrently, while two workers
// (the server's own, and this process standing in for a second replica) apply
// them as they arrive. Afterwards the subscription and the org's plan are the
// newest event's, each event was stored once and applied once, and duplicates
// were acknowledged without being applied again.
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyDueWebhookEvents } from "../../app/.server/billing/events";
import { billingAuditActions, createOrgWithCheckout, orgBilling, webhookEvents, type OrgWithCheckout } from "../factories/billing";
import { FakeLemonSqueezy, lemonSqueezyServerOptions, TEST_BILLING_ENV, TEST_BILLING_SETTINGS, type FakeSubscription, type SignedWebhook } from "../fakes/lemonsqueezy";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { eventually } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
const fake = new FakeLemonSqueezy();
const logger = pino({ level: "silent" });
let server: ServerProcess;

beforeAll(async () => {
  await truncateAll(db);
  const ls = lemonSqueezyServerOptions(await fake.start());
  server = await startServer(
    {
      DATABASE_URL: workerDatabaseUrl(),
      GATEHOUSE_MODE: "hosted",
      OPERATOR_NAME: "Acme Hosting Ltd",
      OPERATOR_EMAIL: "privacy@acme.example",
      RUN_WORKER: "true",
      ...TEST_BILLING_ENV,
      ...ls.env,
    },
    { nodeArgs: ls.nodeArgs },
  );
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await Promise.all([db.destroy(), fake.stop()]);
});

const COPIES = 4;
const IN_FLIGHT = 12;

type Answer = { status: number; body: { ok?: boolean; duplicate?: boolean; id?: string; error?: string } };

/** LemonSqueezy's side: a server-to-server POST of the exact signed bytes. */
async function send(webhook: SignedWebhook): Promise<Answer> {
  const response = await fetch(`${server.url}/webhooks/lemonsqueezy`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "User-Agent": "LemonSqueezy-Hookshot", "X-Signature": webhook.signature },
    body: webhook.body,
  });
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** Sends every webhook, at most IN_FLIGHT at a time, in the order given; answers in that order. */
async function sendAll(webhooks: SignedWebhook[]): Promise<Answer[]> {
  const answers: Answer[] = new Array(webhooks.length);
  let next = 0;
  const lane = async () => {
    while (next < webhooks.length) {
      const i = next++;
      answers[i] = await send(webhooks[i]!);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return answers;
}

/** A seeded shuffle (mulberry32), so a failing order can be named and replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** This process as a second replica's worker: passes until `until` settles. */
async function applyUntil(until: Promise<unknown>) {
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const pass = await applyDueWebhookEvents({ db, settings: TEST_BILLING_SETTINGS, logger });
    if (pass.claimed === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settled = () =>
  eventually(
    async () => {
      const events = await webhookEvents(db);
      return events.every((event) => event.status === "applied" || event.status === "skipped" || event.status === "failed") ? events : undefined;
    },
    20_000,
    "every stored event to be applied or skipped",
  );

const subscriptionRows = () =>
  db.selectFrom("subscription").select(["org_id", "provider_subscription_id", "plan", "status", "seats", "ends_at", "provider_updated_at"]).execute();

/** What the newest state must have become, in the subscription row and on the org. */
function expectNewest(rows: Awaited<ReturnType<typeof subscriptionRows>>, billing: Awaited<ReturnType<typeof orgBilling>>, org: OrgWithCheckout, newest: FakeSubscription, seed: number) {
  expect(rows, `seed ${seed}`).toEqual([
    {
      org_id: org.id,
      provider_subscription_id: newest.id,
      plan: "team",
      status: newest.status,
      seats: newest.quantity,
      ends_at: newest.endsAt ? new Date(newest.endsAt) : null,
      provider_updated_at: new Date(newest.updatedAt),
    },
  ]);
  expect(billing, `seed ${seed}`).toEqual({ plan: "team", seat_limit: newest.quantity, billing_status: newest.status, billing_ends_at: newest.endsAt ? new Date(newest.endsAt) : null });
}

describe("a storm of duplicated, out-of-order subscription webhooks", () => {
  const seed = Date.now() % 2 ** 32;
  let org: OrgWithCheckout;
  let newest: FakeSubscription;
  let heldBack: SignedWebhook[];
  let storm: SignedWebhook[];

  it("ends with the newest state, each event stored and applied once, duplicates acknowledged", async () => {
    org = await createOrgWithCheckout(db);
    // One subscription's life as LemonSqueezy reports it; each change moves its updated_at on.
    const sub = fake.createSubscription({ quantity: 5, customData: org.customData });
    const events: SignedWebhook[] = [fake.subscriptionWebhook("subscription_created", sub.id)];
    const changes: Array<[string, Partial<FakeSubscription>]> = [
      ["subscription_updated", { quantity: 6 }],
      ["subscription_updated", { quantity: 7 }],
      ["subscription_updated", { status: "past_due" }],
      ["subscription_updated", { status: "active" }],
      ["subscription_updated", { quantity: 10 }],
      ["subscription_updated", { status: "paused" }],
      ["subscription_updated", { status: "active", quantity: 9 }],
      ["subscription_updated", { quantity: 8 }],
      ["subscription_updated", { variantId: "7002" }],
      ["subscription_cancelled", { status: "cancelled", endsAt: "2099-12-22T10:00:00.000000Z", renewsAt: null }],
    ];
    for (const [eventName, patch] of changes) {
      fake.updateSubscription(sub.id, patch);
      // Every other event comes without a webhook_id: its bytes are its identity then.
      events.push(fake.subscriptionWebhook(eventName, sub.id, events.length % 2 ? { webhookId: null } : {}));
    }
    newest = fake.subscriptions.get(sub.id)!;
    // Two early events first arrive after the storm has settled (below).
    heldBack = [events[1]!, events[3]!];
    const distinct = events.filter((event) => !heldBack.includes(event));
    storm = shuffled(distinct.flatMap((event) => Array<SignedWebhook>(COPIES).fill(event)), seed);

    const sending = sendAll(storm);
    await Promise.all([sending, applyUntil(sending)]);
    const answers = await sending;

    // Every copy is acknowledged; of each event's copies exactly one was new, and all name the same stored event.
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    for (const event of distinct) {
      const mine = answers.filter((_, i) => storm[i] === event);
      expect(mine.map((answer) => answer.body.duplicate).sort(), `seed ${seed}`).toEqual([false, ...Array<boolean>(COPIES - 1).fill(true)]);
      expect(new Set(mine.map((answer) => answer.body.id)).size).toBe(1);
    }

    const stored = await settled();
    expect(stored.map((event) => [event.status === "failed" ? event.error : "ok", event.deliveries, event.attempts]), `seed ${seed}`).toEqual(distinct.map(() => ["ok", COPIES, 1]));
    // The newest event is applied, whenever it arrived; older ones after it are skipped as stale.
    const newestEvent = stored.find((event) => event.id === answers[storm.indexOf(distinct.at(-1)!)]!.body.id);
    expect(newestEvent, `seed ${seed}`).toMatchObject({ event_name: "subscription_cancelled", status: "applied", org_id: org.id });
    for (const event of stored.filter((e) => e.status === "skipped")) expect(event.outcome).toMatch(/older than the one already applied/);

    expectNewest(await subscriptionRows(), await orgBilling(db, org.id), org, newest, seed);
    const audit = await billingAuditActions(db, org.id);
    expect(audit.filter((action) => action === "billing.subscription_started"), `seed ${seed}`).toHaveLength(1);
    expect(audit.length).toBeLessThanOrEqual(stored.filter((event) => event.status === "applied").length);
  });

  it("stores late, older events once and applies none of them, nor any repeat of the storm", async () => {
    expect(newest, "runs after the storm").toBeDefined();
    const eventsBefore = await webhookEvents(db);
    const auditBefore = await billingAuditActions(db, org.id);

    // The storm again, plus two events never seen before that are older than what was applied.
    const late = shuffled([...storm, ...heldBack.flatMap((event) => [event, event])], seed + 1);
    const answers = await sendAll(late);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(answers.filter((_, i) => !heldBack.includes(late[i]!)).every((answer) => answer.body.duplicate)).toBe(true);
    for (const event of heldBack) {
      expect(answers.filter((_, i) => late[i] === event).map((answer) => answer.body.duplicate).sort()).toEqual([false, true]);
    }

    const stored = await settled();
    expect(stored).toHaveLength(eventsBefore.length + heldBack.length);
    // The storm's events: counted again, not applied again.
    expect(stored.slice(0, eventsBefore.length)).toEqual(eventsBefore.map((event) => ({ ...event, deliveries: 2 * COPIES })));
    // The late ones: stored once, applied once, found stale.
    expect(stored.slice(eventsBefore.length).map((event) => [event.status, event.attempts, event.deliveries])).toEqual(heldBack.map(() => ["skipped", 1, 2]));
    expectNewest(await subscriptionRows(), await orgBilling(db, org.id), org, newest, seed);
    expect(await billingAuditActions(db, org.id)).toEqual(auditBefore);
  });
});
