import { createHmac } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { checkFormStamp, issueFormStamp } from "./form-stamp";

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
const signWith = (key: string, issuedAt: number) => createHmac("sha256", key).update(`waitlist:${issuedAt}`).digest("base64url");

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

  it("rejects a stamp older than a day", async () => {
    const stamp = await issueFormStamp(db, now);
    expect(await checkFormStamp(db, stamp, MIN_FILL_MS, later(24 * 60 * 60 * 1000 + 1))).toBe("invalid");
  });

  it("rejects a missing or malformed stamp", async () => {
    for (const stamp of [undefined, "", ".", "abc", `${now.getTime()}`, `${now.getTime()}.`, "1e3.abc", `-${now.getTime()}.x`]) {
      expect(await checkFormStamp(db, stamp, MIN_FILL_MS, later(10_000)), String(stamp)).toBe("invalid");
    }
  });

  it("rejects a stamp signed with another key", async () => {
    const forged = `${now.getTime()}.${signWith("not-the-instance-key", now.getTime())}`;
    expect(await checkFormStamp(db, forged, MIN_FILL_MS, later(10_000))).toBe("invalid");
  });

  it("rejects a stamp whose signature or time was tampered with", async () => {
    const stamp = await issueFormStamp(db, now);
    const [issued, signature] = stamp.split(".") as [string, string];
    const flipped = `${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`;
    expect(await checkFormStamp(db, `${issued}.${flipped}`, MIN_FILL_MS, later(10_000))).toBe("invalid");
    expect(await checkFormStamp(db, `${issued}.${signature.slice(0, -2)}`, MIN_FILL_MS, later(10_000))).toBe("invalid");
    // Backdating the time to skip the minimum fill time breaks the signature.
    expect(await checkFormStamp(db, `${Number(issued) - 60_000}.${signature}`, MIN_FILL_MS, now)).toBe("invalid");
  });

  it("rejects a correctly signed stamp from the future", async () => {
    const future = await issueFormStamp(db, later(60_000));
    expect(await checkFormStamp(db, future, MIN_FILL_MS, now)).toBe("invalid");
    expect(await checkFormStamp(db, future, 0, now)).toBe("invalid");
  });

  it("signs with the key kept in the database, so every replica agrees", async () => {
    const stamp = await issueFormStamp(db, now);
    expect(stamp).toBe(`${now.getTime()}.${signWith(KEY, now.getTime())}`);
  });

  it("does not remember a failure to read the key", async () => {
    vi.resetModules();
    const fresh = await import("./form-stamp");
    // A database that is not there: nothing listens on port 1.
    const unreachable = connect("postgres://postgres@127.0.0.1:1/nowhere");
    await expect(fresh.issueFormStamp(unreachable, now)).rejects.toThrow();
    await unreachable.destroy();
    expect(await fresh.issueFormStamp(db, now)).toBe(`${now.getTime()}.${signWith(KEY, now.getTime())}`);
  });

  it("makes a new key when the row is missing, instead of failing every page", async () => {
    vi.resetModules();
    const fresh = await import("./form-stamp");
    await db.deleteFrom("instance_secret").execute();
    const stamp = await fresh.issueFormStamp(db, now);
    const stored = await db.selectFrom("instance_secret").select("value").where("name", "=", "form-signing-key").executeTakeFirstOrThrow();
    expect(stored.value).toMatch(/^[0-9a-f]{64}$/);
    expect(stamp).toBe(`${now.getTime()}.${signWith(stored.value, now.getTime())}`);
  });
});
