// Fixed-window rate limits kept in PostgreSQL, so they hold across replicas and
// restarts. One upsert per attempt: the increment is atomic, so two replicas
// counting the same key at once never lose a hit.
import { sql } from "kysely";
import type { Database } from "./db";

export type RateLimitRule = { limit: number; windowSeconds: number };

export type RateLimitResult =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number };

export async function consumeRateLimit(
  db: Database,
  key: string,
  rule: RateLimitRule,
  now: Date = new Date(),
): Promise<RateLimitResult> {
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const windowEnd = new Date(windowStart.getTime() + windowMs);

  const row = await db
    .insertInto("rate_limit")
    .values({ key, window_start: windowStart, count: 1, expires_at: windowEnd })
    .onConflict((conflict) => conflict.columns(["key", "window_start"]).doUpdateSet({ count: sql`rate_limit.count + 1` }))
    .returning("count")
    .executeTakeFirstOrThrow();

  if (row.count <= rule.limit) return { allowed: true, remaining: rule.limit - row.count };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((windowEnd.getTime() - now.getTime()) / 1000)) };
}

export async function deleteExpiredRateLimits(db: Database, now: Date = new Date()): Promise<number> {
  const result = await db.deleteFrom("rate_limit").where("expires_at", "<=", now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
