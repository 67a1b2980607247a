// Two server processes on one PostgreSQL, as behind a load balancer: traffic
// through both, and the state they share holds — each email delivered once,
// one rate limit, sessions good on either, the purge done once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, DEFAULT_PASSWORD } from "../factories/users";
import { FakeResend } from "../fakes/resend";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { eventually, HttpClient } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
const resend = new FakeResend();
let a: ServerProcess;
let b: ServerProcess;
let ip = 0;
const nextIp = () => `10.9.${Math.floor(++ip / 250)}.${ip % 250}`;

beforeAll(async () => {
  await truncateAll(db);
  const resendUrl = await resend.start();
  const env = {
    DATABASE_URL: workerDatabaseUrl(),
    RUN_WORKER: "true",
    EMAIL_TRANSPORT: "resend",
    RESEND_API_KEY: "re_test_key",
    RESEND_BASE_URL: resendUrl,
    EMAIL_FROM: "Gatehouse <no-reply@example.com>",
    EMAIL_RATE_PER_SECOND: "0",
    WAITLIST_MIN_FILL_MS: "0",
    TRUST_PROXY: "loopback",
    PUBLIC_URL: "http://localhost:3999",
  };
  [a, b] = await Promise.all([startServer(env), startServer(env)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await resend.stop();
  await db.destroy();
});

const client = (server: ServerProcess, clientIp = nextIp()) => new HttpClient(server.url, { "X-Forwarded-For": clientIp });

describe("two replicas on one database", () => {
  it("deliver 100 emails queued through both exactly once", async () => {
    const stamp = /name="startedAt" value="([^"]+)"/.exec(await (await client(a).get("/")).text())![1]!;
    const statuses: number[] = [];
    // Ten at a time: a burst, not a flood the shared CI machine would time out on.
    for (let batch = 0; batch < 10; batch++) {
      const joins = Array.from({ length: 10 }, (_, j) => {
        const i = batch * 10 + j;
        return client(i % 2 ? a : b).post("/waitlist", { email: `person${i}@example.com`, name: "", company: "", website: "", startedAt: stamp });
      });
      statuses.push(...(await Promise.all(joins)).map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await eventually(() => (resend.delivered.size >= 100 ? true : undefined), 60_000, "100 deliveries");
    await new Promise((r) => setTimeout(r, 2000)); // and nothing more arrives
    expect(resend.delivered.size).toBe(100);
    expect(resend.requests.filter((r) => r.path === "/emails")).toHaveLength(100);
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
    expect((await onA.post("/login", { email: "owner@example.com", password: DEFAULT_PASSWORD })).headers.get("location")).toBe("/settings");
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
