import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../test/setup/databases";
import { consumeRateLimit, consumeRateLimits, deleteExpiredRateLimits } from "./rate-limit";

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

  it("counts several limits in one go: the first one used up answers, and every counter moves", async () => {
    const perIp = { key: "ip", rule: { limit: 2, windowSeconds: 600 } };
    const perEmail = { key: "email", rule: { limit: 3, windowSeconds: 3600 } };
    expect(await consumeRateLimits(db, [perIp, perEmail], now)).toEqual({ allowed: true, remaining: 1 });
    expect(await consumeRateLimits(db, [perIp, perEmail], now)).toEqual({ allowed: true, remaining: 0 });
    // The IP's 10-minute window (12:00-12:10) is used up first.
    expect(await consumeRateLimits(db, [perIp, perEmail], now)).toEqual({ allowed: false, retryAfterSeconds: 590 });
    const counts = await db.selectFrom("rate_limit").select(["key", "count"]).orderBy("key").execute();
    expect(counts).toEqual([
      { key: "email", count: 3 },
      { key: "ip", count: 3 },
    ]);
    // From another IP, the address's own hourly limit answers.
    expect(await consumeRateLimits(db, [{ ...perIp, key: "ip2" }, perEmail], now)).toEqual({ allowed: false, retryAfterSeconds: 3590 });
  });

  it("deletes only expired windows", async () => {
    await consumeRateLimit(db, "old", rule, new Date("2026-11-22T11:00:00Z"));
    await consumeRateLimit(db, "current", rule, now);
    expect(await deleteExpiredRateLimits(db, now)).toBe(1);
    const left = await db.selectFrom("rate_limit").select("key").execute();
    expect(left.map((r) => r.key)).toEqual(["current"]);
  });
});
