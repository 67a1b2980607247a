// Outbound events end to end against a real PostgreSQL and a real HTTP
// receiver on 127.0.0.1 that checks every signature with the Standard
// Webhooks reference implementation. Delivery runs in self-hosted mode (where
// a local receiver is allowed); hosted mode's refusal is tested on its own.
// Time is an injected clock, never a sleep.
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { WebhookReceiver } from "../../../test/fakes/webhook-receiver";
import { createTestOrg } from "../../../test/factories/orgs";
import { createUser, DEFAULT_PASSWORD } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { scheduleDeletion, purgeDueAccounts } from "../accounts/deletion";
import { signUp } from "../accounts/signup";
import { recordAuditEvent } from "../orgs/audit";
import { runWebhookCommand } from "./admin-cli";
import { findDeletionReach } from "./deletion-reach";
import { DEFAULT_WEBHOOK_DELIVERY, deliverDueWebhooks, RETRY_SCHEDULE_MS, type WebhookDeliveryDeps } from "./delivery";
import { memberAdded, userCreated } from "./domain-events";
import { createEndpoint, enableEndpoint, rotateEndpointSecret } from "./endpoints";
import { fanOutEvents } from "./fanout";
import { getEnv } from "../env";

const db = connect(workerDatabaseUrl());
const otherProcess = connect(workerDatabaseUrl());
const receiver = new WebhookReceiver();
const logger = pino({ level: "silent" });
let url: string;

beforeAll(async () => {
  url = await receiver.start();
});
afterAll(async () => {
  await Promise.all([db.destroy(), otherProcess.destroy(), receiver.stop()]);
});
beforeEach(async () => {
  await truncateAll(db);
  receiver.reset();
});

// Signatures carry the attempt's time, and Webhook.verify accepts ±5 minutes
// around the real clock: the injected clock starts 150 s back so the first
// retries (5 s, then 5 min later) all stay within that window.
let clock: Date;
beforeEach(() => (clock = new Date(Date.now() - 150_000)));
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));

const selfHosted = { ...DEFAULT_WEBHOOK_DELIVERY, hosted: false };
const deps = (overrides: Partial<WebhookDeliveryDeps> = {}): WebhookDeliveryDeps => ({ db, logger, settings: selfHosted, now: () => clock, random: () => 0.5, ...overrides });

async function instanceEndpoint(eventTypes: string[] = ["user.created", "user.deleted", "user.deletion_scheduled", "member.added"]) {
  const created = await createEndpoint(db, { orgId: null, url, description: "", eventTypes, createdBy: null, audit: null }, clock);
  receiver.secret = created.secret;
  return created;
}

/** Fan-out then one delivery pass, as the worker does. */
async function work(overrides: Partial<WebhookDeliveryDeps> = {}) {
  while ((await fanOutEvents(db, clock)).claimed > 0);
  return deliverDueWebhooks(deps(overrides));
}

async function emitUsers(n: number) {
  for (let i = 0; i < n; i++) await userCreated(db, { id: crypto.randomUUID(), email: `person${i}@example.com`, name: null, emailVerified: false }, clock);
}

describe("signing", () => {
  it("signs every delivery so that the reference Webhook.verify accepts it, with a versioned payload", async () => {
    await instanceEndpoint();
    clock = new Date();
    expect((await signUp(db, { email: "ada@example.com", password: DEFAULT_PASSWORD, name: "Ada", invitationToken: null }, "open", clock)).ok).toBe(true);
    const pass = await work();
    expect(pass).toMatchObject({ claimed: 1, delivered: 1 });
    const [event] = receiver.received;
    expect(event!.verified).toBe(true);
    expect(event!.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(event!.headers["webhook-timestamp"]).toBe(String(Math.floor(clock.getTime() / 1000)));
    expect(event!.payload).toMatchObject({ type: "user.created", version: 1, data: { user: { email: "ada@example.com", name: "Ada", email_verified: false } } });
  });

  it("during a rotation's overlap sends both signatures, each of which verifies; afterwards only the new one", async () => {
    const { id, secret: oldSecret } = await instanceEndpoint();
    clock = new Date();
    const rotated = (await rotateEndpointSecret(db, { orgId: null, id, audit: null }, clock))!;
    await emitUsers(1);
    await work();
    const during = receiver.received[0]!;
    expect(String(during.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    for (const secret of [oldSecret, rotated.secret]) expect(() => new Webhook(secret).verify(during.body, during.headers as Record<string, string>)).not.toThrow();

    advance(25 * 3600_000);
    await emitUsers(1);
    await work();
    const after = receiver.received[1]!;
    expect(String(after.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(after.headers["webhook-signature"]).toBe(new Webhook(rotated.secret).sign(after.id, new Date(Number(after.headers["webhook-timestamp"]) * 1000), after.body));
  });
});

describe("delivery", () => {
  it("writes one event row per change whatever the number of endpoints, and none when nobody listens", async () => {
    await emitUsers(1);
    expect(await db.selectFrom("outbound_event").select("id").execute()).toHaveLength(0);
    for (let i = 0; i < 5; i++) await instanceEndpoint();
    await emitUsers(1);
    expect(await db.selectFrom("outbound_event").select("id").execute()).toHaveLength(1);
    await fanOutEvents(db, clock);
    expect(await db.selectFrom("webhook_delivery").select("id").execute()).toHaveLength(5);
  });

  it("retries a receiver that answers 500 twice: each event arrives once more and no more, with the same webhook-id", async () => {
    await instanceEndpoint();
    await emitUsers(3);
    receiver.answer = (_id, seenBefore) => (seenBefore < 2 ? 500 : 200);
    expect(await work()).toMatchObject({ claimed: 3, retrying: 3 });
    // Not due yet: nothing is sent before the backoff is over.
    advance(RETRY_SCHEDULE_MS[0]! - 1000);
    expect(await work()).toMatchObject({ claimed: 0 });
    advance(1000);
    expect(await work()).toMatchObject({ claimed: 3, retrying: 3 });
    advance(RETRY_SCHEDULE_MS[1]!);
    expect(await work()).toMatchObject({ claimed: 3, delivered: 3 });
    // Three days later, nothing more.
    for (let i = 0; i < 10; i++) {
      advance(12 * 3600_000);
      expect(await work()).toMatchObject({ claimed: 0 });
    }
    expect([...receiver.countById().values()]).toEqual([3, 3, 3]);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
    const log = await db.selectFrom("webhook_delivery").select(["status", "attempts", "last_status_code", "last_duration_ms", "last_error"]).execute();
    expect(log.every((d) => d.status === "delivered" && d.attempts === 3 && d.last_status_code === 200 && d.last_duration_ms !== null && d.last_error === null)).toBe(true);
  });

  it("two workers running at once never deliver one event twice", async () => {
    await instanceEndpoint();
    await emitUsers(60);
    await fanOutEvents(db, clock);
    const small = { ...selfHosted, batchSize: 7 };
    for (;;) {
      const [a, b] = await Promise.all([deliverDueWebhooks(deps({ settings: small })), deliverDueWebhooks(deps({ db: otherProcess, settings: small }))]);
      if (a.claimed + b.claimed === 0) break;
    }
    const counts = receiver.countById();
    expect(counts.size).toBe(60);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it("turns an endpoint off after three days of failures, emails the operators, and resumes when turned on", async () => {
    await createUser(db, { email: "op@example.com" });
    await db.updateTable("user").set({ is_operator: true }).execute();
    const { id } = await instanceEndpoint();
    receiver.answer = () => 500;
    await emitUsers(1);
    await work();
    for (const wait of RETRY_SCHEDULE_MS) {
      advance(wait);
      await work();
    }
    expect(receiver.received).toHaveLength(RETRY_SCHEDULE_MS.length + 1);
    const endpoint = await db.selectFrom("webhook_endpoint").select(["disabled_at", "disabled_reason", "failure_streak"]).executeTakeFirstOrThrow();
    expect(endpoint).toMatchObject({ disabled_reason: "failing", failure_streak: RETRY_SCHEDULE_MS.length + 1 });
    expect(endpoint.disabled_at).not.toBeNull();
    expect(await db.selectFrom("webhook_delivery").select("status").executeTakeFirstOrThrow()).toEqual({ status: "failed" });
    const mail = await db.selectFrom("outbox_email").select(["to_address", "template", "text_body"]).where("template", "=", "webhook-disabled").execute();
    expect(mail.map((m) => m.to_address)).toEqual(["op@example.com"]);
    expect(mail[0]!.text_body).toContain(url);

    // While off, nothing is sent to it.
    receiver.answer = () => 200;
    await emitUsers(1);
    advance(1000);
    expect(await work()).toMatchObject({ claimed: 0 });
    expect(await enableEndpoint(db, { orgId: null, id, audit: null }, clock)).toBe(true);
    await emitUsers(1);
    expect(await work()).toMatchObject({ delivered: 1 });
  });

  it("gives an org's endpoints that org's events and its audit history, and the instance's none of the audit history", async () => {
    const acme = await createTestOrg(db, { slug: "acme" });
    const other = await createTestOrg(db, { slug: "other" });
    const orgEndpoint = await createEndpoint(db, { orgId: acme.id, url, description: "", eventTypes: ["member.added", "audit.event"], createdBy: null, audit: null }, clock);
    receiver.secret = orgEndpoint.secret;
    const ada = await createUser(db);
    await memberAdded(db, { orgId: acme.id, userId: ada.id, role: "member" }, clock);
    await memberAdded(db, { orgId: other.id, userId: ada.id, role: "member" }, clock);
    await recordAuditEvent(db, { orgId: acme.id, actor: { userId: ada.id, label: ada.email }, action: "deploy.finished", target: "web", at: clock });
    await recordAuditEvent(db, { orgId: other.id, actor: { userId: ada.id, label: ada.email }, action: "deploy.finished", target: "web", at: clock });
    await work();
    expect(receiver.received.map((r) => r.payload?.type).sort()).toEqual(["audit.event", "member.added"]);
    expect(receiver.received.every((r) => (r.payload!.data.org as { id: string }).id === acme.id)).toBe(true);
    expect(receiver.received.find((r) => r.payload?.type === "audit.event")!.payload!.data).toMatchObject({ event: { action: "deploy.finished", target: "web", actor: { id: ada.id } } });
  });
});

describe("deletion reaches the apps", () => {
  it("after the purge sends user.deleted with the id only, keeps no other event about the person, and shows it delivered", async () => {
    await instanceEndpoint();
    clock = new Date();
    const ada = await createUser(db, { email: "ada@example.com", name: "Ada Lovelace" });
    await userCreated(db, { id: ada.id, email: ada.email, name: "Ada Lovelace", emailVerified: true }, clock);
    // An org's SIEM hears of an event about her, recorded by someone else: it names her address.
    const acme = await createTestOrg(db, { slug: "acme" });
    await createEndpoint(db, { orgId: acme.id, url, description: "", eventTypes: ["audit.event"], createdBy: null, audit: null }, clock);
    const bob = await createUser(db, { email: "bob@example.com" });
    await recordAuditEvent(db, { orgId: acme.id, actor: { userId: bob.id, label: bob.email }, action: "member.invited", target: ada.email, at: clock });
    expect(await db.selectFrom("outbound_event").select("type").execute()).toHaveLength(2);
    expect((await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: null, graceDays: 7 }, clock)).ok).toBe(true);
    // The confirmation email says the apps will be told.
    const confirmation = await db.selectFrom("outbox_email").select("text_body").where("template", "=", "deletion-scheduled").executeTakeFirstOrThrow();
    expect(confirmation.text_body).toContain("apps connected to your");

    expect(await purgeDueAccounts(db, new Date(clock.getTime() + 8 * 86_400_000))).toBe(1);
    const left = await db.selectFrom("outbound_event").select(["type", "body"]).execute();
    expect(left.map((e) => e.type)).toEqual(["user.deleted"]);
    expect(left[0]!.body).not.toMatch(/ada@example\.com|Lovelace/);

    expect((await findDeletionReach(db, ada.id))!.endpoints).toEqual([expect.objectContaining({ url, status: "not-sent" })]);
    await work();
    const received = receiver.received.find((r) => r.payload?.type === "user.deleted")!;
    expect(received.verified).toBe(true);
    expect(received.payload!.data).toEqual({ user: { id: ada.id } });
    expect((await findDeletionReach(db, ada.id))!.endpoints).toEqual([expect.objectContaining({ url, status: "delivered", attempts: 1 })]);
  });

  it("says nothing about apps in the confirmation email when no endpoint listens", async () => {
    const ada = await createUser(db);
    await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: null, graceDays: 7 });
    const confirmation = await db.selectFrom("outbox_email").select("text_body").where("template", "=", "deletion-scheduled").executeTakeFirstOrThrow();
    expect(confirmation.text_body).not.toContain("apps connected");
  });
});

describe("npm run admin:webhook", () => {
  it("creates an endpoint and prints its secret once, as JSON; refuses bad input with exit code 2", async () => {
    const acme = await createTestOrg(db, { slug: "acme" });
    const created = await runWebhookCommand(db, getEnv(), ["create", "--url", url, "--events", "member.added,audit.event", "--org", "acme"]);
    expect(created.exitCode).toBe(0);
    expect(created.output).toMatchObject({ url, events: ["member.added", "audit.event"], org: "acme", secret: expect.stringMatching(/^whsec_/) });
    const row = await db.selectFrom("webhook_endpoint").select(["org_id", "secret_ciphertext"]).executeTakeFirstOrThrow();
    expect(row.org_id).toBe(acme.id);
    expect(row.secret_ciphertext).not.toContain((created.output as { secret: string }).secret.slice(6));

    const bad = await runWebhookCommand(db, getEnv(), ["create", "--url", "ftp://example.com", "--events", "user.created", "--org", "acme"]);
    expect(bad.exitCode).toBe(2);
    expect(JSON.stringify(bad.output)).toMatch(/https:\/\/.*cannot receive: user\.created/);
    expect((await runWebhookCommand(db, getEnv(), ["create", "--url", url, "--events", "user.created", "--org", "nope"])).exitCode).toBe(2);
  });
});
