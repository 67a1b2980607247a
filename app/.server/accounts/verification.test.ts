import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createUser, latestLinkToken, latestVerificationCode, queuedEmails, type TestUser } from "../../../test/factories/users";
import {
  confirmSignupCode,
  MAX_CODE_ATTEMPTS,
  resendSignupCode,
  SIGNUP_CODE_LIMIT,
  SIGNUP_RESEND_LIMIT,
  startVerification,
  verifyCode,
  verifyLinkToken,
} from "./verification";

const db = connect(workerDatabaseUrl());
// A second pool stands in for a second replica.
const otherReplica = connect(workerDatabaseUrl());
afterAll(async () => Promise.all([db.destroy(), otherReplica.destroy()]));
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

async function start(user: TestUser, purpose: "signup" | "email-change" = "signup", email = user.email, at = now) {
  await db.transaction().execute((tx) => startVerification(tx, { id: user.id, name: "Ada" }, purpose, email, at));
  return { code: await latestVerificationCode(db, email), token: await latestLinkToken(db, email, "/verify-email?token=") };
}

/** A code that is not `code`: the test must never guess right by luck. */
const wrongCode = (code: string, i = 0) => String((Number(code) + 1 + i) % 100_000_000).padStart(8, "0");

const userRow = (id: string) => db.selectFrom("user").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const pending = () => db.selectFrom("email_verification").selectAll().execute();

describe("verifyCode", () => {
  it("verifies the address with the right code and uses the code up", async () => {
    const ada = await createUser(db, { verified: false });
    const { code } = await start(ada);
    expect(await verifyCode(db, ada.id, "signup", code, minutes(5))).toEqual({ ok: true, userId: ada.id, purpose: "signup" });
    expect((await userRow(ada.id)).email_verified_at).toEqual(minutes(5));
    expect(await pending()).toEqual([]);
    expect(await verifyCode(db, ada.id, "signup", code, minutes(6))).toMatchObject({ ok: false });
  });

  it("stores only hashes of the code and the link token", async () => {
    const ada = await createUser(db, { verified: false });
    const { code, token } = await start(ada);
    const [row] = await pending();
    const stored = JSON.stringify(row) + Buffer.from(row!.code_hash).toString("latin1") + Buffer.from(row!.token_hash).toString("latin1");
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(token);
  });

  it("refuses even the right code after 10 wrong ones", async () => {
    const ada = await createUser(db, { verified: false });
    const { code, token } = await start(ada);
    const reasons = [];
    for (let i = 0; i < MAX_CODE_ATTEMPTS; i++) {
      const result = await verifyCode(db, ada.id, "signup", wrongCode(code, i), now);
      reasons.push(result.ok ? "ok" : result.reason);
    }
    // The tenth wrong try already says the code is dead, so the person asks for a new one.
    expect(reasons).toEqual([...Array(MAX_CODE_ATTEMPTS - 1).fill("wrong-code"), "too-many-attempts"]);
    expect(await verifyCode(db, ada.id, "signup", code, now)).toEqual({ ok: false, reason: "too-many-attempts" });
    // The link in the same email dies with the code.
    expect(await verifyLinkToken(db, token, now)).toEqual({ ok: false, reason: "invalid-link" });
    expect((await userRow(ada.id)).email_verified_at).toBeNull();
  });

  it("counts every one of 20 parallel wrong guesses, so none slips past the limit", async () => {
    const ada = await createUser(db, { verified: false });
    const { code } = await start(ada);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => verifyCode(i % 2 ? db : otherReplica, ada.id, "signup", wrongCode(code, i), now)),
    );
    expect(results.every((r) => !r.ok)).toBe(true);
    // Only the first 10 tries were ever checked against the code; 9 of them say so.
    expect(results.filter((r) => !r.ok && r.reason === "wrong-code")).toHaveLength(MAX_CODE_ATTEMPTS - 1);
    expect(results.filter((r) => !r.ok && r.reason === "too-many-attempts")).toHaveLength(20 - (MAX_CODE_ATTEMPTS - 1));
    expect((await pending())[0]!.attempts).toBe(20);
    expect(await verifyCode(db, ada.id, "signup", code, now)).toEqual({ ok: false, reason: "too-many-attempts" });
    expect((await userRow(ada.id)).email_verified_at).toBeNull();
  });

  it("accepts the code for 30 minutes and refuses it after", async () => {
    const ada = await createUser(db, { verified: false });
    const { code } = await start(ada);
    expect(await verifyCode(db, ada.id, "signup", code, minutes(30))).toEqual({ ok: false, reason: "expired" });
    expect(await verifyCode(db, ada.id, "signup", code, minutes(31))).toEqual({ ok: false, reason: "expired" });
    expect((await userRow(ada.id)).email_verified_at).toBeNull();

    const bob = await createUser(db, { email: "bob@example.com", verified: false });
    const second = await start(bob);
    expect(await verifyCode(db, bob.id, "signup", second.code, minutes(29))).toMatchObject({ ok: true });
  });

  it("refuses the old code once a new one was sent", async () => {
    const ada = await createUser(db, { verified: false });
    const first = await start(ada, "signup", ada.email, now);
    const second = await start(ada, "signup", ada.email, minutes(1));
    expect(await pending()).toHaveLength(1);
    if (first.code !== second.code) {
      expect(await verifyCode(db, ada.id, "signup", first.code, minutes(2))).toEqual({ ok: false, reason: "wrong-code" });
    }
    expect(await verifyLinkToken(db, first.token, minutes(2))).toEqual({ ok: false, reason: "invalid-link" });
    expect(await verifyCode(db, ada.id, "signup", second.code, minutes(2))).toMatchObject({ ok: true });
  });

  it("answers expired when nothing is pending", async () => {
    const ada = await createUser(db, { verified: false });
    expect(await verifyCode(db, ada.id, "signup", "12345678", now)).toEqual({ ok: false, reason: "expired" });
  });
});

describe("verifyLinkToken", () => {
  it("verifies once; the same link a second time is invalid", async () => {
    const ada = await createUser(db, { verified: false });
    const { token } = await start(ada);
    expect(await verifyLinkToken(db, token, minutes(1))).toEqual({ ok: true, userId: ada.id, purpose: "signup" });
    expect((await userRow(ada.id)).email_verified_at).toEqual(minutes(1));
    expect(await verifyLinkToken(db, token, minutes(2))).toEqual({ ok: false, reason: "invalid-link" });
  });

  it("refuses a link after 30 minutes, and an invented one", async () => {
    const ada = await createUser(db, { verified: false });
    const { token } = await start(ada);
    expect(await verifyLinkToken(db, token, minutes(31))).toEqual({ ok: false, reason: "invalid-link" });
    expect(await verifyLinkToken(db, "not-a-token", now)).toEqual({ ok: false, reason: "invalid-link" });
    expect((await userRow(ada.id)).email_verified_at).toBeNull();
  });
});

describe("email-change verification", () => {
  it("moves the account to the new address once the code comes back", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    const { code } = await start(ada, "email-change", "ada@new.example");
    expect(await queuedEmails(db, "ada@new.example")).toHaveLength(1);
    expect((await userRow(ada.id)).email).toBe("ada@example.com");

    expect(await verifyCode(db, ada.id, "email-change", code, minutes(3))).toEqual({ ok: true, userId: ada.id, purpose: "email-change" });
    const row = await userRow(ada.id);
    expect(row.email).toBe("ada@new.example");
    expect(row.email_verified_at).toEqual(minutes(3));
    expect(await pending()).toEqual([]);
  });

  it("answers taken when another account got the address in the meantime", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    const { code } = await start(ada, "email-change", "shared@example.com");
    await createUser(db, { email: "shared@example.com" });
    expect(await verifyCode(db, ada.id, "email-change", code, minutes(1))).toEqual({ ok: false, reason: "taken" });
    expect((await userRow(ada.id)).email).toBe("ada@example.com");
  });

  it("answers taken, not an error, when another account takes the address while the change is being confirmed", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    const bob = await createUser(db, { email: "bob@example.com" });
    const adaCode = (await start(ada, "email-change", "shared@example.com", now)).code;
    const bobCode = (await start(bob, "email-change", "shared@example.com", minutes(1))).code;

    // Hold Ada's row, so her confirmation pauses after it has found the address
    // free and before it writes it; Bob confirms in that gap, as he could on
    // another replica.
    const holder = await db.startTransaction().execute();
    try {
      await holder.selectFrom("user").select("id").where("id", "=", ada.id).forUpdate().execute();
      const adaResult = verifyCode(otherReplica, ada.id, "email-change", adaCode, minutes(2)).catch((error: unknown) => error);
      await waitForLockWait();
      expect(await verifyCode(db, bob.id, "email-change", bobCode, minutes(2))).toMatchObject({ ok: true });
      await holder.commit().execute();
      expect(await adaResult).toEqual({ ok: false, reason: "taken" });
    } finally {
      if (!holder.isCommitted) await holder.rollback().execute();
    }
    expect((await userRow(ada.id)).email).toBe("ada@example.com");
    expect((await userRow(bob.id)).email).toBe("shared@example.com");
  });
});

describe("guessing a signup code across resent codes", () => {
  const resend = (user: TestUser, at: Date) => resendSignupCode(db, { id: user.id, name: "Ada", email: user.email }, at);

  it("counts the guesses per account: a new code brings no new tries, and the cap lifts after the hour", async () => {
    const ada = await createUser(db, { verified: false });
    let { code } = await start(ada);
    let tries = 0;
    // 4 wrong tries at the first code, 4 at a resent one, 2 at another: 10 in the hour.
    for (const [minute, guesses, resent] of [[0, 4, false], [1, 4, true], [2, 2, true]] as const) {
      if (resent) {
        expect(await resend(ada, minutes(minute))).toEqual({ ok: true });
        code = await latestVerificationCode(db, ada.email);
      }
      for (let i = 0; i < guesses; i++, tries++) {
        expect(await confirmSignupCode(db, ada.id, wrongCode(code, i), minutes(minute))).toEqual({ ok: false, reason: "wrong-code" });
      }
    }
    expect(tries).toBe(SIGNUP_CODE_LIMIT.limit);
    // The 11th try is refused before the code is looked at, even the right code.
    expect(await confirmSignupCode(db, ada.id, code, minutes(3))).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 57 * 60 });
    // Asking for yet another code does not start the count again.
    expect(await resend(ada, minutes(4))).toEqual({ ok: true });
    expect(await confirmSignupCode(db, ada.id, await latestVerificationCode(db, ada.email), minutes(5))).toEqual({
      ok: false,
      reason: "throttled",
      retryAfterSeconds: 55 * 60,
    });
    expect((await userRow(ada.id)).email_verified_at).toBeNull();

    // The next hour the allowance is back: a fresh code works.
    expect(await resend(ada, minutes(60))).toEqual({ ok: true });
    expect(await confirmSignupCode(db, ada.id, await latestVerificationCode(db, ada.email), minutes(61))).toEqual({ ok: true, userId: ada.id, purpose: "signup" });
    expect((await userRow(ada.id)).email_verified_at).toEqual(minutes(61));
  });

  it("lets an attacker who resends as often as allowed check at most 10 guesses in the hour", async () => {
    const ada = await createUser(db, { verified: false });
    let { code } = await start(ada);
    const answers: string[] = [];
    // The first code and every resend allowed, each tried 10 times, from two replicas at once.
    for (let round = 0; round <= SIGNUP_RESEND_LIMIT.limit; round++) {
      if (round > 0) {
        expect(await resend(ada, minutes(round))).toEqual({ ok: true });
        code = await latestVerificationCode(db, ada.email);
      }
      const results = await Promise.all(
        Array.from({ length: MAX_CODE_ATTEMPTS }, (_, i) => confirmSignupCode(i % 2 ? db : otherReplica, ada.id, wrongCode(code, i), minutes(round))),
      );
      answers.push(...results.map((r) => (r.ok ? "ok" : r.reason)));
    }
    // Only the first 10 tries ever reached a code; the 50 after were turned away unread.
    expect(answers.filter((a) => a !== "throttled")).toHaveLength(SIGNUP_CODE_LIMIT.limit);
    expect(answers.filter((a) => a === "throttled")).toHaveLength(SIGNUP_RESEND_LIMIT.limit * MAX_CODE_ATTEMPTS);
    expect(answers).not.toContain("ok");
  });

  it("limits new codes to 5 an hour, queues nothing past that, and allows more the next hour", async () => {
    const ada = await createUser(db, { verified: false });
    await start(ada);
    for (let i = 0; i < SIGNUP_RESEND_LIMIT.limit; i++) expect(await resend(ada, minutes(i))).toEqual({ ok: true });
    const before = (await queuedEmails(db, ada.email)).length;
    expect(await resend(ada, minutes(10))).toEqual({ ok: false, reason: "too-many-requests", retryAfterSeconds: 50 * 60 });
    expect(await queuedEmails(db, ada.email)).toHaveLength(before);
    expect(await resend(ada, minutes(60))).toEqual({ ok: true });
    expect(await queuedEmails(db, ada.email)).toHaveLength(before + 1);
  });
});

/** Resolves once some session of this database is waiting on a row lock. */
async function waitForLockWait(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(db);
    if (Number(rows[0]?.n) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("the confirmation never waited on the held row");
}
