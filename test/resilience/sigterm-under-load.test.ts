// SIGTERM while keep-alive traffic is flowing: every request the server had
// accepted gets its whole answer, connections opened after the listener closed
// are refused (that is not a failure), nothing is reset, and the process exits 0.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";
import { startLoad, tally, type Outcome } from "./support/load";
import { waitlistStampMinter } from "../setup/waitlist-stamps";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SHUTDOWN_TIMEOUT_MS = 10_000;

const db = connect(workerDatabaseUrl());
let server: ServerProcess | undefined;

beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({
    DATABASE_URL: workerDatabaseUrl(),
    WAITLIST_MIN_FILL_MS: "0",
    TRUST_PROXY: "loopback",
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  });
}, 60_000);
afterAll(async () => {
  await server?.stop("SIGKILL");
  await db.destroy();
});

const describeOutcome = (o: Outcome) =>
  `${o.request.method} ${o.request.path} ${o.request.tag ?? ""} on loop ${o.loop}, sent at ${Math.round(o.sentAt)} ms${o.connected ? "" : " (never connected)"} → ${o.status ?? o.error} at ${Math.round(o.endedAt)} ms`;

describe("SIGTERM under keep-alive load", () => {
  it("finishes every accepted request, resets none, and exits 0", async () => {
    const live = server!;
    const stamp = await waitlistStampMinter(live.url, workerDatabaseUrl()); // a fresh one per join: a stamp admits one
    // Pages and waitlist joins (each from its own address), over keep-alive connections.
    const load = startLoad({
      baseUrl: live.url,
      concurrency: 8,
      durationMs: SHUTDOWN_TIMEOUT_MS + 5_000,
      pauseMs: 10,
      keepAlive: true,
      next: (n) =>
        n % 2
          ? { method: "GET", path: n % 4 === 1 ? "/" : "/privacy" }
          : {
              method: "POST",
              path: "/waitlist",
              tag: `term${n}@example.com`,
              headers: { "X-Forwarded-For": `10.40.${Math.floor(n / 250)}.${(n % 250) + 1}` },
              form: { email: `term${n}@example.com`, name: "", company: "", website: "", startedAt: stamp() },
            },
    });

    await sleep(2_000);
    const termAt = load.now();
    live.child.kill("SIGTERM");
    const exitCode = await live.exited;
    const exitedAt = load.now();
    load.stop();
    const outcomes = await load.done;

    const context = `${JSON.stringify(tally(outcomes))}; SIGTERM at ${Math.round(termAt)} ms, exit ${exitCode} at ${Math.round(exitedAt)} ms\n${live.stderr()}`;
    // Refused before connecting: the listener was closed, the client may go elsewhere.
    const refused = (o: Outcome) => o.error === "ECONNREFUSED" && !o.connected;
    expect(outcomes.filter((o) => o.status === undefined && !refused(o)).map(describeOutcome), context).toEqual([]);
    expect(outcomes.filter((o) => o.status !== undefined && o.status !== 200).map(describeOutcome), context).toEqual([]);
    // The signal really came mid-load: requests were in flight across it, and answered.
    expect(outcomes.filter((o) => o.sentAt < termAt && o.endedAt > termAt && o.status === 200).length, context).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.sentAt < termAt).length, context).toBeGreaterThan(20);

    expect(exitCode, context).toBe(0);
    expect(live.logs.map((l) => l.msg)).toContain("stopped cleanly");

    // Every join that was answered is stored.
    const confirmed = outcomes.filter((o) => o.request.method === "POST" && o.status === 200).map((o) => o.request.tag!);
    const stored = new Set((await db.selectFrom("waitlist_entry").select("email").execute()).map((row) => row.email));
    expect(confirmed.filter((email) => !stored.has(email))).toEqual([]);
  }, 60_000);
});
