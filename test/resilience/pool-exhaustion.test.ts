// Slow queries holding every pooled connection: requests that need the database
// must get a quick 503 (after the pool's connect timeout), not wait in the
// pool's queue for as long as the slow queries take; and once the slow queries
// finish, everything answers normally again.
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, DEFAULT_PASSWORD } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { eventually, HttpClient, waitlistFormStamps } from "../setup/http-client";
import { waitlistStampMinter } from "../setup/waitlist-stamps";
import { startServer, type ServerProcess } from "../setup/server-process";
import { runLoad, tally } from "./support/load";

const POOL_MAX = 2;
const CONNECT_TIMEOUT_MS = 500;
// Longer than the test holds its lock: the hogging requests are slow, not failed.
const STATEMENT_TIMEOUT_MS = 20_000;
// A request asks the pool for a connection a few times at most (root and route
// loaders, an action), each wait capped by the connect timeout. Waiting in line
// for the hogs instead would take as long as the lock is held.
const ANSWER_BOUND_MS = 4 * CONNECT_TIMEOUT_MS + 1_000;
const LOCK_HELD_MS = ANSWER_BOUND_MS * 3;

const db = connect(workerDatabaseUrl());
let server: ServerProcess | undefined;
let locker: pg.Client | undefined;

beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({
    DATABASE_URL: workerDatabaseUrl(),
    DB_POOL_MAX: String(POOL_MAX),
    DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    WAITLIST_MIN_FILL_MS: "0",
    TRUST_PROXY: "loopback",
    LOG_LEVEL: "warn",
  });
}, 60_000);
afterAll(async () => {
  // Release the lock first, or the server's shutdown would wait on its hogged connections.
  await locker?.end().catch(() => {});
  await server?.stop();
  await db.destroy();
});

async function timed(request: Promise<Response>) {
  const started = performance.now();
  const response = await request;
  await response.arrayBuffer();
  return { status: response.status, retryAfter: response.headers.get("retry-after"), ms: performance.now() - started };
}

describe("every pooled connection held by slow queries", () => {
  it("answers other database requests 503 within the connect timeout, and recovers when the slow queries finish", async () => {
    const live = server!;
    const user = await createUser(db, { email: "patient@example.com" });
    const browser = new HttpClient(live.url, { "X-Forwarded-For": "10.30.0.1" });
    expect((await browser.post("/login", { email: user.email, password: DEFAULT_PASSWORD })).headers.get("location")).toBe("/home");
    expect((await browser.get("/settings")).status).toBe(200);
    const stamp = await waitlistStampMinter(live.url, workerDatabaseUrl()); // a fresh one per join: a stamp admits one

    // The slow queries: waitlist joins that wait on a lock the test holds, one per pooled connection.
    locker = new pg.Client({ connectionString: workerDatabaseUrl() });
    await locker.connect();
    await locker.query("begin");
    await locker.query("lock table waitlist_entry in access exclusive mode");
    const lockedAt = performance.now();
    const hogs = runLoad({
      baseUrl: live.url,
      concurrency: POOL_MAX,
      count: POOL_MAX,
      keepAlive: false,
      requestTimeoutMs: STATEMENT_TIMEOUT_MS + 10_000,
      next: (n) => ({
        method: "POST",
        path: "/waitlist",
        tag: `hog${n}@example.com`,
        headers: { "X-Forwarded-For": `10.31.0.${n + 1}` },
        form: { email: `hog${n}@example.com`, name: "", company: "", website: "", startedAt: stamp() },
      }),
    });
    const waitingOnLock = async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock' and query ilike '%waitlist_entry%'`.execute(db);
      return rows[0]!.n >= POOL_MAX ? true : undefined;
    };
    await eventually(waitingOnLock, 10_000, `${POOL_MAX} requests waiting on the lock`);

    // Requests that need a connection, while none is free: a signed-in page, a sign-in, readiness.
    const probes = await Promise.all([
      timed(browser.get("/settings")),
      timed(new HttpClient(live.url, { "X-Forwarded-For": "10.30.0.2" }).post("/login", { email: user.email, password: DEFAULT_PASSWORD })),
      timed(fetch(`${live.url}/readyz`)),
    ]);
    const [settings, login, ready] = probes;
    const context = JSON.stringify(probes) + live.stderr();
    expect(settings!.status, context).toBe(503);
    expect(settings!.retryAfter, context).not.toBeNull();
    expect(login!.status, context).toBe(503);
    expect(login!.retryAfter, context).not.toBeNull();
    expect(ready!.status, context).toBe(503);
    for (const probe of probes) expect(probe.ms, context).toBeLessThan(ANSWER_BOUND_MS);

    // A burst of them does no worse: each is turned away, none queues behind the others.
    const burst = await Promise.all(Array.from({ length: 10 }, () => timed(browser.get("/settings"))));
    expect(burst.map((probe) => probe.status), JSON.stringify(burst)).toEqual(Array(10).fill(503));
    for (const probe of burst) expect(probe.ms, JSON.stringify(burst)).toBeLessThan(ANSWER_BOUND_MS);
    // The hogs really held the pool all along.
    expect(await waitingOnLock()).toBe(true);

    // The slow queries finish: they succeed, and so does everything else again.
    const held = performance.now() - lockedAt;
    if (held < LOCK_HELD_MS) await new Promise((resolve) => setTimeout(resolve, LOCK_HELD_MS - held));
    await locker.query("rollback");
    await locker.end();
    locker = undefined;
    const hogOutcomes = await hogs;
    expect(tally(hogOutcomes)).toEqual({ "200": POOL_MAX });
    const joined = await db.selectFrom("waitlist_entry").select("email").orderBy("email").execute();
    expect(joined.map((row) => row.email)).toEqual(hogOutcomes.map((o) => o.request.tag).sort());

    expect((await browser.get("/settings")).status).toBe(200);
    const again = await new HttpClient(live.url, { "X-Forwarded-For": "10.30.0.3" }).post("/login", { email: user.email, password: DEFAULT_PASSWORD });
    expect(again.headers.get("location")).toBe("/home");
    expect((await fetch(`${live.url}/readyz`)).status).toBe(200);
    expect(live.child.exitCode).toBeNull();
  }, 60_000);
});

describe("slow queries that outlive the statement timeout", () => {
  it("are answered 503 with Retry-After, not 500, and store nothing", async () => {
    const shortTimeoutMs = 1_000;
    const impatient = await startServer({
      DATABASE_URL: workerDatabaseUrl(),
      DB_POOL_MAX: String(POOL_MAX),
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(shortTimeoutMs),
      WAITLIST_MIN_FILL_MS: "0",
      TRUST_PROXY: "loopback",
      LOG_LEVEL: "fatal",
    });
    const blocker = new pg.Client({ connectionString: workerDatabaseUrl() });
    try {
      await truncateAll(db);
      const stamps = await waitlistFormStamps(impatient.url, POOL_MAX);
      await blocker.connect();
      await blocker.query("begin");
      await blocker.query("lock table waitlist_entry in access exclusive mode");
      const joins = await Promise.all(
        Array.from({ length: POOL_MAX }, (_, n) =>
          timed(
            new HttpClient(impatient.url, { "X-Forwarded-For": `10.32.0.${n + 1}` }).post("/waitlist", {
              email: `late${n}@example.com`,
              name: "",
              company: "",
              website: "",
              startedAt: stamps[n]!,
            }),
          ),
        ),
      );
      const context = JSON.stringify(joins);
      expect(joins.map((join) => join.status), context).toEqual(Array(POOL_MAX).fill(503));
      for (const join of joins) {
        expect(join.retryAfter, context).not.toBeNull();
        expect(join.ms, context).toBeLessThan(shortTimeoutMs + ANSWER_BOUND_MS);
      }
      await blocker.query("rollback");
      expect(await db.selectFrom("waitlist_entry").select("email").execute()).toEqual([]);
      expect((await fetch(`${impatient.url}/readyz`)).status).toBe(200);
    } finally {
      await blocker.end().catch(() => {});
      await impatient.stop();
    }
  }, 60_000);
});
