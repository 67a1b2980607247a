import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { deleteExpiredRows } from "./cleanup";
import { runExclusively } from "./exclusive";

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

describe("deleteExpiredRows", () => {
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
