// Fixed-window rate limits kept in PostgreSQL, so they hold across replicas and
// restarts. One upsert per attempt: the increment is atomic, so two replicas
// counting the same key at once never lose a hit.
import { sql } from "kysely";
import type { Database } from "./db";
import { deleteInBatches } from "./jobs/batched-delete";

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
  return consumeRateLimits(db, [{ key, rule }], now);
}

/**
 * Counts one attempt against several limits in one statement (a request checked
 * per IP and per address pays one round trip, not two). The first limit that is
 * used up, in the order given, is the answer; every counter moves either way.
 */
export async function consumeRateLimits(
  db: Database,
  limits: Array<{ key: string; rule: RateLimitRule }>,
  now: Date = new Date(),
): Promise<RateLimitResult> {
  const windows = limits.map(({ key, rule }) => {
    const windowMs = rule.windowSeconds * 1000;
    const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
    return { key, rule, windowStart, windowEnd: new Date(windowStart.getTime() + windowMs) };
  });
  const rows = await db
    .insertInto("rate_limit")
    .values(windows.map((w) => ({ key: w.key, window_start: w.windowStart, count: 1, expires_at: w.windowEnd })))
    .onConflict((conflict) => conflict.columns(["key", "window_start"]).doUpdateSet({ count: sql`rate_limit.count + 1` }))
    .returning(["key", "count"])
    .execute();
  const counts = new Map(rows.map((row) => [row.key, row.count]));

  let remaining = Number.MAX_SAFE_INTEGER;
  for (const w of windows) {
    const count = counts.get(w.key)!;
    if (count > w.rule.limit) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((w.windowEnd.getTime() - now.getTime()) / 1000)) };
    }
    remaining = Math.min(remaining, w.rule.limit - count);
  }
  return { allowed: true, remaining };
}

export async function deleteExpiredRateLimits(db: Database, now: Date = new Date()): Promise<number> {
  return deleteInBatches(db, "rate_limit", sql`expires_at <= ${now}`);
}

/**
 * Counts one hit on each key, all in one statement (a batch of recipients of
 * one mailing, say), and says for each whether it was within the rule.
 */
export async function consumeRateLimitEach(db: Database, keys: string[], rule: RateLimitRule, now: Date = new Date()): Promise<Map<string, boolean>> {
  const unique = [...new Set(keys)];
  if (unique.length === 0) return new Map();
  const windowMs = rule.windowSeconds * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const rows = await db
    .insertInto("rate_limit")
    .values(unique.map((key) => ({ key, window_start: windowStart, count: 1, expires_at: new Date(windowStart.getTime() + windowMs) })))
    .onConflict((conflict) => conflict.columns(["key", "window_start"]).doUpdateSet({ count: sql`rate_limit.count + 1` }))
    .returning(["key", "count"])
    .execute();
  return new Map(rows.map((row) => [row.key, row.count <= rule.limit]));
}
