// The waitlist form carries the time it was rendered and a random nonce, signed
// with a key kept in the database (so every replica agrees). A missing or
// forged stamp is a bot, dropped quietly. A submission faster than the minimum
// fill time is only *probably* a bot (password managers fill forms in an
// instant), so the person is asked to press the button again. A stamp admits
// one join: one page view is one submission, not a day's worth of them.
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Database } from "../db";

const MAX_AGE_MS = 24 * 60 * 60 * 1000;

let cachedKey: Promise<string> | undefined;

function signingKey(db: Database): Promise<string> {
  // The migration creates the key; should the row ever be missing (a partial
  // restore), a fresh one is made rather than failing every page with a form.
  cachedKey ??= db
    .insertInto("instance_secret")
    .values({ name: "form-signing-key", value: randomBytes(32).toString("hex") })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute()
    .then(() => db.selectFrom("instance_secret").select("value").where("name", "=", "form-signing-key").executeTakeFirstOrThrow())
    .then((row) => row.value)
    .catch((error: unknown) => {
      cachedKey = undefined; // a database outage must not be remembered
      throw error;
    });
  return cachedKey;
}

const sign = (key: string, issuedAt: number, nonce: string) => createHmac("sha256", key).update(`waitlist:${issuedAt}:${nonce}`).digest("base64url");

export async function issueFormStamp(db: Database, now = new Date()): Promise<string> {
  const issuedAt = now.getTime();
  // The nonce keeps two forms rendered in the same millisecond apart, so one
  // visitor's join never uses up another's stamp.
  const nonce = randomBytes(12).toString("base64url");
  return `${issuedAt}.${nonce}.${sign(await signingKey(db), issuedAt, nonce)}`;
}

/**
 * ok: signed by us, old enough, not too old.
 * too-fast: signed by us, sent before the minimum fill time.
 * stale: signed by us, but older than a day (a tab left open), or already used.
 * invalid: missing, malformed, forged, or from the future: a bot.
 */
export type StampVerdict = "ok" | "too-fast" | "stale" | "invalid";

export async function checkFormStamp(db: Database, stamp: string | undefined, minFillMs: number, now = new Date()): Promise<StampVerdict> {
  const [issued, nonce, signature, ...rest] = (stamp ?? "").split(".");
  const issuedAt = Number(issued);
  if (!Number.isSafeInteger(issuedAt) || !nonce || !signature || rest.length > 0) return "invalid";
  const expected = Buffer.from(sign(await signingKey(db), issuedAt, nonce));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return "invalid";
  const age = now.getTime() - issuedAt;
  if (age < 0) return "invalid";
  if (age > MAX_AGE_MS) return "stale";
  return age < minFillMs ? "too-fast" : "ok";
}

/**
 * Uses the stamp up: true the first time, false ever after (within its day;
 * after that checkFormStamp calls it stale anyway). The mark is a row in the
 * rate_limit table (a limit of one use, for the stamp's lifetime), so the
 * clean-up job that expires rate-limit counters forgets it when it no longer
 * matters, and every replica sees it.
 */
export async function consumeFormStamp(db: Database, stamp: string): Promise<boolean> {
  const issuedAt = Number(stamp.split(".")[0]);
  const key = `form-stamp:${createHash("sha256").update(stamp).digest("base64url")}`;
  const used = await db
    .insertInto("rate_limit")
    .values({ key, window_start: new Date(issuedAt), count: 1, expires_at: new Date(issuedAt + MAX_AGE_MS) })
    .onConflict((oc) => oc.columns(["key", "window_start"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  return used !== undefined;
}
