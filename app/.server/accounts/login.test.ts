import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createUser, DEFAULT_PASSWORD } from "../../../test/factories/users";
import { hashPassword, PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE_LIMIT, PasswordHasherBusyError } from "../password";
import { validateSessionToken } from "../session";
import { LOGIN_LIMITS, logIn, type LoginResult } from "./login";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

// Ten seconds into a 15-minute window (windows start at :00, :15, :30, :45).
const now = new Date("2026-11-22T12:00:10Z");
const nextWindow = new Date("2026-11-22T12:15:00Z");
const client = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0" };
const fromIp = (ip: string) => ({ ...client, ip });

const INVALID: LoginResult = { ok: false, reason: "invalid-credentials" };
const sessionCount = async () => (await db.selectFrom("session").select("id").execute()).length;

describe("logIn", () => {
  it("signs in with the right password, in a new session", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    const result = await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now);
    expect(result).toMatchObject({ ok: true, emailVerified: true });
    if (!result.ok) return;
    expect((await validateSessionToken(db, result.token, client, now))?.user.id).toBe(ada.id);
  });

  it("refuses at once while the password hasher's queue is full, spending none of the person's attempts", async () => {
    await createUser(db, { email: "ada@example.com" });
    // A flood already fills every slot and the whole queue.
    const flood = Array.from({ length: PASSWORD_HASH_CONCURRENCY + PASSWORD_HASH_QUEUE_LIMIT }, () => hashPassword("flood password"));
    await expect(logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now)).rejects.toBeInstanceOf(PasswordHasherBusyError);
    expect(await db.selectFrom("rate_limit").selectAll().execute()).toEqual([]);
    await Promise.all(flood);
    // Once it has drained, the same login goes through.
    expect(await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now)).toMatchObject({ ok: true });
  });

  it("tells an unverified account to verify", async () => {
    await createUser(db, { email: "ada@example.com", verified: false });
    expect(await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now)).toMatchObject({ ok: true, emailVerified: false });
  });

  it("gives the same answer for a wrong password and an unknown address, and creates no session", async () => {
    await createUser(db, { email: "ada@example.com" });
    expect(await logIn(db, "ada@example.com", "not the password", client, now)).toEqual(INVALID);
    expect(await logIn(db, "nobody@example.com", DEFAULT_PASSWORD, client, now)).toEqual(INVALID);
    expect(await sessionCount()).toBe(0);
  });

  it(
    "throttles the 11th attempt on one account within 15 minutes, then lets it in again in the next window",
    async () => {
      await createUser(db, { email: "ada@example.com" });
      for (let i = 0; i < LOGIN_LIMITS.perAccount.limit; i++) {
        // Spread over addresses, as a botnet would: the count is per account.
        expect(await logIn(db, "ada@example.com", `guess ${i}`, fromIp(`198.51.100.${i + 1}`), now)).toEqual(INVALID);
      }
      // Even the right password waits: the throttle comes before the check.
      const throttled = await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, new Date("2026-11-22T12:05:00Z"));
      expect(throttled).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 600 });
      expect(await sessionCount()).toBe(0);

      // No permanent lockout: the next window opens the account again.
      expect(await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, nextWindow)).toMatchObject({ ok: true });
    },
    60_000,
  );

  it(
    "throttles one account without slowing down the others",
    async () => {
      await createUser(db, { email: "ada@example.com" });
      await createUser(db, { email: "bob@example.com" });
      for (let i = 0; i <= LOGIN_LIMITS.perAccount.limit; i++) await logIn(db, "ada@example.com", `guess ${i}`, client, now);
      expect(await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now)).toMatchObject({ ok: false, reason: "throttled" });
      expect(await logIn(db, "bob@example.com", DEFAULT_PASSWORD, client, now)).toMatchObject({ ok: true });
    },
    60_000,
  );

  it(
    "throttles one address trying many accounts, while other addresses still get in",
    async () => {
      await createUser(db, { email: "ada@example.com" });
      const attacker = fromIp("192.0.2.66");
      // Batches keep the argon2 queue short (it refuses work beyond 32 waiting).
      for (let batch = 0; batch < LOGIN_LIMITS.perIp.limit; batch += 10) {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => logIn(db, `victim${batch + i}@example.com`, "password123", attacker, now)),
        );
        expect(results).toEqual(Array(10).fill(INVALID));
      }
      const blocked = await logIn(db, "ada@example.com", DEFAULT_PASSWORD, attacker, now);
      expect(blocked).toMatchObject({ ok: false, reason: "throttled" });
      expect(blocked.ok === false && blocked.reason === "throttled" && blocked.retryAfterSeconds).toBeGreaterThan(0);
      expect(await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now)).toMatchObject({ ok: true });
    },
    60_000,
  );

  it(
    "takes about as long for an unknown address as for a wrong password",
    async () => {
      await createUser(db, { email: "ada@example.com" });
      const timed = async (email: string) => {
        const started = performance.now();
        expect(await logIn(db, email, "a wrong password", client, now)).toEqual(INVALID);
        return performance.now() - started;
      };
      // The first unknown address in a process also creates the dummy hash;
      // warm both paths so the comparison is of steady state.
      await timed("ada@example.com");
      await timed("nobody@example.com");

      const known: number[] = [];
      const unknown: number[] = [];
      for (let i = 0; i < 5; i++) {
        known.push(await timed("ada@example.com"));
        unknown.push(await timed("nobody@example.com"));
      }
      const ratio = median(unknown) / median(known);
      expect(ratio, `medians: unknown ${median(unknown).toFixed(1)} ms, wrong password ${median(known).toFixed(1)} ms`).toBeGreaterThan(1 / 3);
      expect(ratio).toBeLessThan(3);
    },
    60_000,
  );
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
