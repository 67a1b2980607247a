import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { deleteExpiredRows } from "./cleanup";
import { runExclusively } from "./exclusive";
import { createUser } from "../../../test/factories/users";
import { createOidcConnection } from "../sso/connections";
import { deleteInBatches } from "./batched-delete";
import { runUnderLease } from "./lease";
import { sql } from "kysely";

const db = connect(workerDatabaseUrl());
const otherProcess = connect(workerDatabaseUrl());
afterAll(async () => Promise.all([db.destroy(), otherProcess.destroy()]));
beforeEach(() => truncateAll(db));

describe("runExclusively", () => {
  it("lets only one of two processes run a job at the same time", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = runExclusively(db, "test-job", async () => {
      await held;
      return "first";
    });
    await new Promise((r) => setTimeout(r, 100));
    const second = await runExclusively(otherProcess, "test-job", async () => "second");
    release();
    expect(second).toEqual({ ran: false });
    expect(await first).toEqual({ ran: true, result: "first" });
    // Once the first is done, the job can run again.
    expect(await runExclusively(otherProcess, "test-job", async () => "again")).toEqual({ ran: true, result: "again" });
  });
});

describe("runUnderLease", () => {
  it("runs a job in one process at a time, outside any transaction, and frees it when done", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = runUnderLease(db, "lease-job", 60_000, async () => {
      // Not inside a transaction: each statement of the job commits by itself.
      const { rows } = await sql<{ open: boolean }>`select now() <> statement_timestamp() as open`.execute(db);
      await held;
      return rows[0]!.open;
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(await runUnderLease(otherProcess, "lease-job", 60_000, async () => "second")).toEqual({ ran: false });
    release();
    expect(await first).toEqual({ ran: true, result: false });
    expect(await runUnderLease(otherProcess, "lease-job", 60_000, async () => "again")).toEqual({ ran: true, result: "again" });
  });

  it("lets another process take over a lease its holder did not renew in time (the holder died), and the old holder learns it", async () => {
    let renewLater!: () => Promise<boolean>;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = runUnderLease(db, "lease-job", 50, async (lease) => {
      renewLater = lease.renew;
      await held;
    });
    await new Promise((r) => setTimeout(r, 150));
    let renewed: boolean | undefined;
    const second = await runUnderLease(otherProcess, "lease-job", 60_000, async () => {
      renewed = await renewLater();
      return "took over";
    });
    release();
    await first;
    expect(second).toEqual({ ran: true, result: "took over" });
    expect(renewed).toBe(false);
  });
});

describe("deleteInBatches", () => {
  it("deletes every matching row, a batch at a time, and nothing else", async () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const at = (hour: number) => new Date(Date.UTC(2026, 10, 22, hour));
    await db
      .insertInto("rate_limit")
      .values([1, 2, 3, 4, 5, 6, 7].map((n) => ({ key: `k${n}`, window_start: at(0), count: 1, expires_at: n <= 5 ? at(1) : at(13) })))
      .execute();
    const batches: number[] = [];
    const deleted = await deleteInBatches(db, "rate_limit", sql`expires_at <= ${now}`, {
      batchSize: 2,
      betweenBatches: async () => (batches.push(batches.length + 1), true),
    });
    expect(deleted).toBe(5);
    expect(batches).toEqual([1, 2]); // 2 + 2, then 1 (a short batch is the last)
    expect((await db.selectFrom("rate_limit").select("key").orderBy("key").execute()).map((r) => r.key)).toEqual(["k6", "k7"]);
  });
});

describe("deleteExpiredRows", () => {
  it("removes SSO round trips abandoned at the IdP and links nobody proved in time, and keeps live ones", async () => {
    const now = new Date("2026-11-22T12:00:00Z");
    const later = new Date(now.getTime() + 60_000);
    const earlier = new Date(now.getTime() - 60_000);
    const user = await createUser(db, { email: "linker@example.com" });
    const connection = await createOidcConnection(db, null, {
      name: "Corp IdP",
      defaultRole: "member",
      issuer: "https://idp.corp.example",
      discovery: null,
      clientId: "gatehouse",
      clientSecret: "a-client-secret-of-some-length",
      scopes: "openid email profile",
    });
    await db
      .insertInto("sso_attempt")
      .values([earlier, later].map((expires_at, i) => ({ binding_hash: Buffer.from(`binding-${i}`), connection_id: connection.id, purpose: "sign-in", state: `state-${i}`, expires_at })))
      .execute();
    await db
      .insertInto("sso_pending_link")
      .values([earlier, later].map((expires_at, i) => ({ token_hash: Buffer.from(`token-${i}`), connection_id: connection.id, subject: `subject-${i}`, user_id: user.id, expires_at })))
      .execute();
    expect(await deleteExpiredRows(db, 365, now)).toMatchObject({ ssoAttempts: 1, ssoPendingLinks: 1 });
    expect(await db.selectFrom("sso_attempt").select("state").execute()).toEqual([{ state: "state-1" }]);
    expect(await db.selectFrom("sso_pending_link").select("subject").execute()).toEqual([{ subject: "subject-1" }]);
  });

  it("removes expired rate-limit windows and keeps current ones", async () => {
    const now = new Date("2026-11-22T12:00:00Z");
    await db
      .insertInto("rate_limit")
      .values([
        { key: "old", window_start: new Date("2026-11-22T10:00:00Z"), count: 1, expires_at: new Date("2026-11-22T11:00:00Z") },
        { key: "new", window_start: now, count: 1, expires_at: new Date("2026-11-22T13:00:00Z") },
      ])
      .execute();
    const outcome = await deleteExpiredRows(db, 365, now);
    expect(outcome.rateLimits).toBe(1);
    expect((await db.selectFrom("rate_limit").select("key").execute()).map((r) => r.key)).toEqual(["new"]);
  });
});
