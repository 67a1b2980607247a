// Bench scenario: outbound event delivery throughput. Events are written the
// way a change writes them (one row each), then the worker's own passes
// (fan-out, then delivery in batches of DEFAULT_WEBHOOK_DELIVERY.batchSize)
// deliver them, signed, to a receiver on 127.0.0.1 that answers 204. Reports
// events delivered per second, from the first pass to the last delivery.
// Self-hosted settings: hosted mode would (rightly) refuse 127.0.0.1.
// Run alone with `npx tsx test/bench/event-delivery.ts`, or within `npm run bench`.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import pino from "pino";
import { migrateToLatest } from "../../app/.server/database/migrate";
import { DEFAULT_WEBHOOK_DELIVERY, deliverDueWebhooks } from "../../app/.server/events/delivery";
import { userCreated } from "../../app/.server/events/domain-events";
import { createEndpoint } from "../../app/.server/events/endpoints";
import { fanOutEvents } from "../../app/.server/events/fanout";
import { ADMIN_URL, connect, databaseUrl, recreateDatabase } from "../setup/databases";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 5000);

export type EventDeliveryResult = { events: number; seconds: number; eventsPerSecond: number; received: number };

export async function benchEventDelivery(events = EVENTS): Promise<EventDeliveryResult> {
  // The endpoint's secret is encrypted at rest: a key for this process if none is set.
  process.env.SECRETS_KEY ??= randomBytes(32).toString("base64");
  let received = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      received++;
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;

  const admin = connect<unknown>(ADMIN_URL);
  await recreateDatabase(admin, "gatehouse_bench_events");
  const db = connect(databaseUrl("gatehouse_bench_events"));
  try {
    const { error } = await migrateToLatest(db);
    if (error) throw error;
    await createEndpoint(db, { orgId: null, url, description: "bench", eventTypes: ["user.created"], createdBy: null, audit: null });
    for (let i = 0; i < events; i += 500) {
      await db.transaction().execute(async (tx) => {
        for (let j = i; j < Math.min(events, i + 500); j++) await userCreated(tx, { id: crypto.randomUUID(), email: `bench${j}@example.com`, name: `Bench ${j}`, emailVerified: true });
      });
    }
    const settings = { ...DEFAULT_WEBHOOK_DELIVERY, hosted: false };
    const logger = pino({ level: "warn" });
    const started = performance.now();
    // What the worker's two polling loops do while there is work: full passes back to back.
    while ((await fanOutEvents(db)).claimed > 0);
    const fannedOutSeconds = (performance.now() - started) / 1000;
    let delivered = 0;
    while (delivered < events) {
      const pass = await deliverDueWebhooks({ db, logger, settings });
      if (pass.claimed === 0) break;
      delivered += pass.delivered;
    }
    const seconds = (performance.now() - started) / 1000;
    const result = { events, seconds: Math.round(seconds * 100) / 100, eventsPerSecond: Math.round(delivered / seconds), received };
    console.log(`  outbound events: ${delivered} of ${events} delivered (signed, to 127.0.0.1) in ${result.seconds} s (fan-out ${fannedOutSeconds.toFixed(2)} s): ${result.eventsPerSecond} events/s`);
    return result;
  } finally {
    await db.destroy();
    await sql`drop database if exists gatehouse_bench_events with (force)`.execute(admin);
    await admin.destroy();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchEventDelivery().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
