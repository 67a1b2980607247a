import { createHmac } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { checkFormStamp, consumeFormStamp, issueFormStamp } from "./form-stamp";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());

// The migration creates the signing key; truncation between tests removes it,
// so each test puts back the same one (the module caches the key it read).
const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const restoreKey = () => db.insertInto("instance_secret").values({ name: "form-signing-key", value: KEY }).onConflict((oc) => oc.doNothing()).execute();
beforeEach(async () => {
  await truncateAll(db);
  await restoreKey();
});

const now = new Date("2026-11-22T12:00:00Z");
const MIN_FILL_MS = 2000;
const later = (ms: number) => new Date(now.getTime() + ms);
const signWith = (key: string, issuedAt: number, nonce: string) => createHmac("sha256", key).update(`waitlist:${issuedAt}:${nonce}`).digest("base64url");
const partsOf = (stamp: string) => {
  const [issued, nonce, signature] = stamp.split(".") as [string, string, string];
  return { issued, nonce, signature };
};

describe("form stamps", () => {
  it("calls a submission right after the form was rendered too fast", async () => {
    const stamp = await issueFormStamp(db, now);
    expect(await checkFormStamp(db, stamp, MIN_FILL_MS, now)).toBe("too-fast");
    expect(await checkFormStamp(db, stamp, MIN_FILL_MS, later(MIN_FILL_MS - 1))).toBe("too-fast");
  });

  it("accepts a submission once the minimum fill time has passed, for up to a day", async () => {
    const stamp = await issueFormStamp(db, now);
    expect(await checkFormStamp(db, stamp, MIN_FILL_MS, later(MIN_FILL_MS))).toBe("ok");
    expect(await checkFormStamp(db, stamp, MIN_FILL_MS, later(24 * 60 * 60 * 1000))).toBe("ok");
    expect(await checkFormStamp(db, stamp, 0, now)).toBe("ok");
  });

  it("calls a genuine stamp older than a day stale (a tab left open), not a bot's", async () => {
    const stamp = await issueFormStamp(db, now);
    expect(await checkFormStamp(db, stamp, MIN_FILL_MS, later(24 * 60 * 60 * 1000 + 1))).toBe("stale");
  });

  it("gives every rendered form its own stamp, even in the same millisecond", async () => {
    const stamps = await Promise.all(Array.from({ length: 20 }, () => issueFormStamp(db, now)));
    expect(new Set(stamps).size).toBe(20);
  });

  it("rejects a missing or malformed stamp", async () => {
    for (const stamp of [undefined, "", ".", "..", "abc", `${now.getTime()}`, `${now.getTime()}.`, `${now.getTime()}.n.`, "1e3.n.abc", `-${now.getTime()}.n.x`]) {
      expect(await checkFormStamp(db, stamp, MIN_FILL_MS, later(10_000)), String(stamp)).toBe("invalid");
    }
  });

  it("rejects a stamp signed with another key", async () => {
    const forged = `${now.getTime()}.nonce.${signWith("not-the-instance-key", now.getTime(), "nonce")}`;
    expect(await checkFormStamp(db, forged, MIN_FILL_MS, later(10_000))).toBe("invalid");
  });

  it("rejects a stamp whose signature or time was tampered with", async () => {
    const stamp = await issueFormStamp(db, now);
    const { issued, nonce, signature } = partsOf(stamp);
    const flipped = `${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`;
    expect(await checkFormStamp(db, `${issued}.${nonce}.${flipped}`, MIN_FILL_MS, later(10_000))).toBe("invalid");
    expect(await checkFormStamp(db, `${issued}.${nonce}.${signature.slice(0, -2)}`, MIN_FILL_MS, later(10_000))).toBe("invalid");
    expect(await checkFormStamp(db, `${issued}.${nonce}x.${signature}`, MIN_FILL_MS, later(10_000))).toBe("invalid");
    expect(await checkFormStamp(db, `${stamp}.extra`, MIN_FILL_MS, later(10_000))).toBe("invalid");
    // Backdating the time to skip the minimum fill time breaks the signature.
    expect(await checkFormStamp(db, `${Number(issued) - 60_000}.${nonce}.${signature}`, MIN_FILL_MS, now)).toBe("invalid");
  });

  it("rejects a correctly signed stamp from the future", async () => {
    const future = await issueFormStamp(db, later(60_000));
    expect(await checkFormStamp(db, future, MIN_FILL_MS, now)).toBe("invalid");
    expect(await checkFormStamp(db, future, 0, now)).toBe("invalid");
  });

  it("signs with the key kept in the database, so every replica agrees", async () => {
    const stamp = await issueFormStamp(db, now);
    expect(stamp).toBe(`${now.getTime()}.${partsOf(stamp).nonce}.${signWith(KEY, now.getTime(), partsOf(stamp).nonce)}`);
  });

  it("does not remember a failure to read the key", async () => {
    vi.resetModules();
    const fresh = await import("./form-stamp");
    // A database that is not there: nothing listens on port 1.
    const unreachable = connect("postgres://postgres@127.0.0.1:1/nowhere");
    await expect(fresh.issueFormStamp(unreachable, now)).rejects.toThrow();
    await unreachable.destroy();
    const stamp = await fresh.issueFormStamp(db, now);
    expect(stamp).toBe(`${now.getTime()}.${partsOf(stamp).nonce}.${signWith(KEY, now.getTime(), partsOf(stamp).nonce)}`);
  });

  it("makes a new key when the row is missing, instead of failing every page", async () => {
    vi.resetModules();
    const fresh = await import("./form-stamp");
    await db.deleteFrom("instance_secret").execute();
    const stamp = await fresh.issueFormStamp(db, now);
    const stored = await db.selectFrom("instance_secret").select("value").where("name", "=", "form-signing-key").executeTakeFirstOrThrow();
    expect(stored.value).toMatch(/^[0-9a-f]{64}$/);
    expect(stamp).toBe(`${now.getTime()}.${partsOf(stamp).nonce}.${signWith(stored.value, now.getTime(), partsOf(stamp).nonce)}`);
  });
});

describe("using a stamp up", () => {
  it("admits a stamp once, and refuses it ever after", async () => {
    const stamp = await issueFormStamp(db, now);
    expect(await consumeFormStamp(db, stamp)).toBe(true);
    expect(await consumeFormStamp(db, stamp)).toBe(false);
    expect(await consumeFormStamp(db, stamp)).toBe(false);
    // Another page's stamp is its own.
    expect(await consumeFormStamp(db, await issueFormStamp(db, now))).toBe(true);
  });

  it("admits one of many simultaneous uses of one stamp", async () => {
    const stamp = await issueFormStamp(db, now);
    const results = await Promise.all(Array.from({ length: 8 }, () => consumeFormStamp(db, stamp)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("keeps the mark for as long as the stamp is valid, for the clean-up job to drop after", async () => {
    const stamp = await issueFormStamp(db, now);
    await consumeFormStamp(db, stamp);
    const marks = await db.selectFrom("rate_limit").select(["key", "expires_at"]).execute();
    expect(marks).toHaveLength(1);
    expect(marks[0]!.key).toMatch(/^form-stamp:[\w-]{43}$/);
    // The key is a hash: the stamp itself is not stored.
    expect(marks[0]!.key).not.toContain(partsOf(stamp).signature);
    expect(marks[0]!.expires_at).toEqual(later(24 * 60 * 60 * 1000));
  });
});
