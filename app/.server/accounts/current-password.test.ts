import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createUser, DEFAULT_PASSWORD } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createSession } from "../session";
import { verifyCurrentPassword } from "./current-password";
import { scheduleDeletion } from "./deletion";
import { LOGIN_LIMITS, logIn } from "./login";
import { changePassword, requestEmailChange } from "./profile";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

// Ten seconds into a 15-minute window.
const now = new Date("2026-12-01T09:00:10Z");
const nextWindow = new Date("2026-12-01T09:15:00Z");
const client = { ip: "203.0.113.7", userAgent: null };

/** Spends the account's whole login allowance on wrong re-checks, each from its own IP (the count is per account). */
async function guessUntilTheLimit(userId: string) {
  for (let i = 0; i < LOGIN_LIMITS.perAccount.limit; i++) {
    expect(await verifyCurrentPassword(db, { id: userId }, `guess ${i}`, `198.51.100.${i + 1}`, now)).toEqual({ ok: false, reason: "wrong-password" });
  }
}

describe("verifyCurrentPassword", () => {
  it("answers ok for the right password and wrong-password for another", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    expect(await verifyCurrentPassword(db, ada, DEFAULT_PASSWORD, client.ip, now)).toEqual({ ok: true });
    expect(await verifyCurrentPassword(db, ada, "not it", client.ip, now)).toEqual({ ok: false, reason: "wrong-password" });
  }, 60_000);

  it("throttles the 11th try in 15 minutes, even with the right password, and lets it through in the next window", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    await guessUntilTheLimit(ada.id);
    expect(await verifyCurrentPassword(db, ada, DEFAULT_PASSWORD, client.ip, now)).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 890 });
    expect(await verifyCurrentPassword(db, ada, DEFAULT_PASSWORD, client.ip, nextWindow)).toEqual({ ok: true });
  }, 60_000);

  it("shares one allowance with the login form, in both directions", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    await guessUntilTheLimit(ada.id);
    expect(await logIn(db, "ada@example.com", DEFAULT_PASSWORD, client, now)).toMatchObject({ ok: false, reason: "throttled" });

    const bob = await createUser(db, { email: "bob@example.com" });
    for (let i = 0; i < LOGIN_LIMITS.perAccount.limit; i++) await logIn(db, "bob@example.com", `guess ${i}`, { ...client, ip: `192.0.2.${i + 1}` }, now);
    expect(await verifyCurrentPassword(db, bob, DEFAULT_PASSWORD, client.ip, now)).toMatchObject({ ok: false, reason: "throttled" });
  }, 60_000);
});

describe("the Settings actions that ask for the password", () => {
  it("answer throttled once the allowance is spent, and change nothing", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    const { token } = await createSession(db, ada.id, client, now);
    await guessUntilTheLimit(ada.id);
    const sessionId = token.split(".")[0]!;
    const throttled = { ok: false, reason: "throttled", retryAfterSeconds: 890 };
    expect(await changePassword(db, { userId: ada.id, sessionId, currentPassword: DEFAULT_PASSWORD, newPassword: "a brand new passphrase", endOtherSessions: true, ip: client.ip }, now)).toEqual(throttled);
    expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: "ada@new.example", ip: client.ip }, now)).toEqual(throttled);
    expect(await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: client.ip, graceDays: 7 }, now)).toEqual(throttled);
    const row = await db.selectFrom("user").select(["email", "deletion_requested_at"]).where("id", "=", ada.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ email: "ada@example.com", deletion_requested_at: null });
    expect(await db.selectFrom("email_verification").select("email").execute()).toEqual([]);
  }, 60_000);
});
