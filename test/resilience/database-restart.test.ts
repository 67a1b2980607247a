// PostgreSQL restarted under steady traffic: the server must not crash, must
// answer 503 quickly while the database is down (never 500, never hang), must
// recover within seconds, and must not have told anyone "done" (2xx) for a
// waitlist join the database does not hold.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../setup/databases";
import { waitlistStampMinter } from "../setup/waitlist-stamps";
import { startServer, type ServerProcess } from "../setup/server-process";
import { startLoad, tally, type Outcome } from "./support/load";
import { ThrowawayPostgres } from "./support/throwaway-postgres";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const CONNECT_TIMEOUT_MS = 1_000;

let cluster: ThrowawayPostgres | undefined;
let server: ServerProcess | undefined;

beforeAll(async () => {
  cluster = await ThrowawayPostgres.create();
  server = await startServer({
    DATABASE_URL: cluster.url(),
    DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    WAITLIST_MIN_FILL_MS: "0",
    TRUST_PROXY: "loopback",
    LOG_LEVEL: "warn",
  });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await cluster?.destroy();
});

const describeOutcome = (o: Outcome) => `${o.request.tag} sent at ${Math.round(o.sentAt)} ms → ${o.status ?? o.error} at ${Math.round(o.endedAt)} ms`;

describe("PostgreSQL restarted under steady traffic", () => {
  // "fast" is an orderly restart (clients told to go); "immediate" is a crash and crash recovery.
  it.each([
    { mode: "fast" as const, subnet: 20 },
    { mode: "immediate" as const, subnet: 21 },
  ])("answers 503 while it is down ($mode stop), recovers within seconds, and keeps every join it confirmed", async ({ mode, subnet }) => {
    const live = server!;
    const stamp = await waitlistStampMinter(live.url, cluster!.url()); // a fresh one per join: a stamp admits one
    // Each join from its own address and with its own email: no rate limit can answer instead of the database.
    const load = startLoad({
      baseUrl: live.url,
      concurrency: 4,
      durationMs: 12_000,
      pauseMs: 25,
      next: (n) => ({
        method: "POST",
        path: "/waitlist",
        tag: `${mode}${n}@example.com`,
        headers: { "X-Forwarded-For": `10.${subnet}.${Math.floor(n / 250)}.${(n % 250) + 1}` },
        form: { email: `${mode}${n}@example.com`, name: "", company: "", website: "", startedAt: stamp() },
      }),
    });

    await sleep(2_500);
    const downAt = load.now();
    await cluster!.stop(mode);
    const stoppedAt = load.now();
    await sleep(2_500);
    const startingAt = load.now();
    await cluster!.start();
    const upAt = load.now();
    const outcomes = await load.done;

    const counts = tally(outcomes);
    const context = `${JSON.stringify(counts)}; down ${Math.round(downAt)}–${Math.round(upAt)} ms\n${live.stderr()}`;
    // Nothing broke: every request got a complete answer, none a 500.
    expect(outcomes.filter((o) => o.status === undefined).map(describeOutcome), context).toEqual([]);
    expect(outcomes.filter((o) => o.status !== 200 && o.status !== 503).map(describeOutcome), context).toEqual([]);
    // The outage was seen, and answered quickly rather than waited out. (pg_ctl
    // start returns a little after PostgreSQL accepts connections, so "down"
    // ends when the test began starting it.)
    const whileDown = outcomes.filter((o) => o.sentAt > stoppedAt && o.endedAt < startingAt);
    expect(whileDown.length, context).toBeGreaterThan(0);
    expect(whileDown.filter((o) => o.status !== 503).map(describeOutcome), context).toEqual([]);
    const answerBound = 2 * CONNECT_TIMEOUT_MS + 1_000;
    expect(whileDown.filter((o) => o.endedAt - o.sentAt > answerBound).map(describeOutcome), context).toEqual([]);
    // 503s only around the outage: none before it began, none once it has been back a few seconds.
    const RECOVERY_MS = 4_000;
    const strayUnavailable = outcomes.filter((o) => o.status === 503 && (o.endedAt < downAt || o.sentAt > upAt + RECOVERY_MS));
    expect(strayUnavailable.map(describeOutcome), context).toEqual([]);
    const afterRecovery = outcomes.filter((o) => o.sentAt > upAt + RECOVERY_MS);
    expect(afterRecovery.length, context).toBeGreaterThan(0);

    // The process lived through it and still serves.
    expect(live.child.exitCode).toBeNull();
    const again = await fetch(`${live.url}/readyz`);
    expect(again.status).toBe(200);

    // Every join answered 200 is in the database.
    const confirmed = outcomes.filter((o) => o.status === 200).map((o) => o.request.tag!);
    const db = connect(cluster!.url());
    try {
      const stored = new Set((await db.selectFrom("waitlist_entry").select("email").execute()).map((row) => row.email));
      expect(confirmed.filter((email) => !stored.has(email))).toEqual([]);
      expect(confirmed.length).toBeGreaterThan(20);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
