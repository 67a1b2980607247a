import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../test/setup/databases";
import { consumeRateLimit, deleteExpiredRateLimits } from "./rate-limit";

const db = connect(workerDatabaseUrl());
// A second pool stands in for a second replica.
const otherReplica = connect(workerDatabaseUrl());
afterAll(async () => Promise.all([db.destroy(), otherReplica.destroy()]));
beforeEach(() => truncateAll(db));

const rule = { limit: 5, windowSeconds: 60 };
const now = new Date("2026-11-22T12:00:10Z");

describe("consumeRateLimit", () => {
  it("allows exactly the limit when two replicas race on one key", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) => consumeRateLimit(i % 2 ? db : otherReplica, "login:ip:203.0.113.9", rule, now)),
    );
    expect(attempts.filter((a) => a.allowed)).toHaveLength(5);
  });

  it("says how long to wait, and opens again in the next window", async () => {
    for (let i = 0; i < 5; i++) await consumeRateLimit(db, "k", rule, now);
    const refused = await consumeRateLimit(db, "k", rule, now);
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 50 });
    const later = await consumeRateLimit(db, "k", rule, new Date("2026-11-22T12:01:00Z"));
    expect(later).toEqual({ allowed: true, remaining: 4 });
  });

  it("counts keys separately", async () => {
    for (let i = 0; i < 5; i++) await consumeRateLimit(db, "a", rule, now);
    expect((await consumeRateLimit(db, "b", rule, now)).allowed).toBe(true);
  });

  it("deletes only expired windows", async () => {
    await consumeRateLimit(db, "old", rule, new Date("2026-11-22T11:00:00Z"));
    await consumeRateLimit(db, "current", rule, now);
    expect(await deleteExpiredRateLimits(db, now)).toBe(1);
    const left = await db.selectFrom("rate_limit").select("key").execute();
    expect(left.map((r) => r.key)).toEqual(["current"]);
  });
});
