// Resend goes down for a while and comes back: every email queued in the
// meantime is delivered exactly once. The production build runs its own worker
// against the fake Resend, which fails in the three ways an outage looks from
// here: 5xx answers, a port that refuses connections, and answers lost after the
// message went out (where only the Idempotency-Key prevents a second copy).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeResend, resendServerEnv } from "../fakes/resend";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { eventually, HttpClient, waitlistFormStamps } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
const resend = new FakeResend();
let server: ServerProcess;
let ip = 0;
const nextIp = () => `10.20.${Math.floor(++ip / 250)}.${ip % 250}`;

beforeAll(async () => {
  await truncateAll(db);
  const resendUrl = await resend.start();
  server = await startServer({
    DATABASE_URL: workerDatabaseUrl(),
    ...resendServerEnv(resendUrl),
    WAITLIST_MIN_FILL_MS: "0",
    TRUST_PROXY: "loopback",
    PUBLIC_URL: "http://localhost:3999",
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await resend.restore();
  await resend.stop();
  await db.destroy();
});

const BATCH = 15;

/** Joins the waitlist with `count` new addresses (distinct client IPs, so no per-IP limit); each queues one confirmation. */
async function queueConfirmations(tag: string, count = BATCH): Promise<string[]> {
  const stamps = await waitlistFormStamps(server.url, count); // one page view per join
  const addresses = Array.from({ length: count }, (_, i) => `${tag}-${i}@example.com`);
  const responses = await Promise.all(
    addresses.map((email, i) => new HttpClient(server.url, { "X-Forwarded-For": nextIp() }).post("/waitlist", { email, name: "", company: "", website: "", startedAt: stamps[i]! })),
  );
  expect(responses.map((r) => r.status)).toEqual(addresses.map(() => 200));
  return addresses;
}

const byAddress = (a: { to_address: string }, b: { to_address: string }) => (a.to_address < b.to_address ? -1 : 1);
const outboxRows = async (addresses: string[]) =>
  (
    await db
      .selectFrom("outbox_email")
      .select(["id", "to_address", "template", "status", "attempts", "last_error", "provider_message_id", "html"])
      .where("to_address", "in", addresses)
      .execute()
  ).sort(byAddress);

type Row = Awaited<ReturnType<typeof outboxRows>>[number];

/** Waits until every message to `addresses` satisfies `done`. */
const untilEvery = (addresses: string[], done: (row: Row) => boolean, what: string) =>
  eventually(
    async () => {
      const rows = await outboxRows(addresses);
      return rows.length === addresses.length && rows.every(done) ? rows : undefined;
    },
    20_000,
    what,
  );

/**
 * The worker backs off 15–30 s after a first failure, doubling after that, and
 * that has no setting. Moving the queued messages' next attempt to now is that
 * time passing (only rows waiting in the queue: never one a worker holds).
 */
const timePasses = (addresses: string[]) =>
  db.updateTable("outbox_email").set({ next_attempt_at: new Date() }).where("status", "=", "queued").where("to_address", "in", addresses).execute();

/** Lets the outbox fail once more on every message: time passes, and each is tried (and fails) again. */
async function failAgain(addresses: string[]) {
  const before = new Map((await outboxRows(addresses)).map((row) => [row.id, row.attempts]));
  await timePasses(addresses);
  return untilEvery(addresses, (row) => row.status === "queued" && row.attempts > before.get(row.id)!, "another failed attempt on every message");
}

/** Brings Resend back, lets the backoff run out, and waits for the queue to drain. */
async function recover(addresses: string[]) {
  await resend.restore();
  await timePasses(addresses);
  await untilEvery(addresses, (row) => row.status !== "queued" && row.status !== "sending", "every message to be sent");
  // A late duplicate (a lease run out, a second claim) would arrive within a poll or two.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
}

/** Each address got its message once, under the outbox row's id as Idempotency-Key, and the row records that very message. */
async function expectDeliveredOnce(addresses: string[]) {
  const rows = await outboxRows(addresses);
  expect(rows.map((row) => [row.to_address, row.template, row.status, row.last_error, row.html])).toEqual(
    [...addresses].sort().map((address) => [address, "waitlist-confirm", "sent", null, null]),
  );
  for (const row of rows) {
    const copies = resend.messages(row.to_address);
    expect(copies, row.to_address).toHaveLength(1);
    expect(resend.delivered.get(row.id)?.body.to, `${row.to_address} was sent under its outbox id`).toBe(row.to_address);
    expect(row.provider_message_id, row.to_address).toBe(copies[0]!.id);
  }
  expect(server.logs.filter((line) => line.msg === "email delivery failed for good")).toEqual([]);
}

const requestsTo = (addresses: string[]) => resend.requests.filter((request) => addresses.includes(String(request.body.to)));
const deliveredTo = (addresses: string[]) => addresses.flatMap((address) => resend.messages(address));

describe("email delivery through a Resend outage", () => {
  it("delivers every email queued while Resend answered 500 and 503 exactly once when it is back", async () => {
    resend.failWith(500);
    const addresses = await queueConfirmations("five-hundred");
    await untilEvery(addresses, (row) => row.status === "queued" && row.attempts >= 1 && /resend 500/.test(row.last_error ?? ""), "a first failed attempt on every message");

    // Still down, now behind a proxy that answers with its own HTML page.
    resend.failWith(503, "<html><body><h1>503 Service Unavailable</h1></body></html>");
    const failed = await failAgain(addresses);
    expect(failed.every((row) => /resend 503/.test(row.last_error ?? ""))).toBe(true);
    expect(deliveredTo(addresses)).toEqual([]);

    await recover(addresses);
    await expectDeliveredOnce(addresses);
    expect(requestsTo(addresses).length).toBeGreaterThanOrEqual(3 * addresses.length);
  });

  it("delivers every email queued while Resend answered 503 and then refused connections exactly once when it is back", async () => {
    resend.failWith(503);
    const addresses = await queueConfirmations("refused");
    await untilEvery(addresses, (row) => row.status === "queued" && row.attempts >= 1, "a first failed attempt on every message");

    // Then the provider's address stops answering at all.
    await resend.refuseConnections();
    const failed = await failAgain(addresses);
    expect(failed.every((row) => /resend network/.test(row.last_error ?? ""))).toBe(true);
    await failAgain(addresses);
    expect(deliveredTo(addresses)).toEqual([]);

    await recover(addresses);
    await expectDeliveredOnce(addresses);
  });

  it("sends each email once when Resend took it but its answer was lost, and records the id Resend gave it", async () => {
    resend.loseAnswers();
    const addresses = await queueConfirmations("lost-answer");
    await untilEvery(addresses, (row) => row.status === "queued" && row.attempts >= 1 && /resend network/.test(row.last_error ?? ""), "a first unanswered attempt on every message");
    // Resend did send them; the outbox cannot know, and must try again.
    const firstIds = new Map(addresses.map((address) => [address, resend.messages(address).map((email) => email.id)]));
    expect([...firstIds.values()].every((ids) => ids.length === 1)).toBe(true);

    await failAgain(addresses); // tried again, recognised by its key, and the answer lost again
    await recover(addresses);
    await expectDeliveredOnce(addresses);
    const rows = await outboxRows(addresses);
    expect(rows.map((row) => [row.to_address, row.provider_message_id])).toEqual(rows.map((row) => [row.to_address, firstIds.get(row.to_address)![0]]));
    expect(rows.every((row) => row.attempts >= 3)).toBe(true);
  });
});
