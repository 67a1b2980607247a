import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createUser, DEFAULT_PASSWORD, latestLinkToken, latestVerificationCode, queuedEmails } from "../../../test/factories/users";
import { getEnv } from "../env";
import { verifyPassword } from "../password";
import { createSession, validateSessionToken } from "../session";
import { changePassword, confirmEmailChange, EMAIL_CHANGE_CODE_LIMIT, EMAIL_CHANGE_REQUEST_LIMIT, requestEmailChange, updateName } from "./profile";
import { pendingVerificationEmail, verifyCode, verifyLinkToken } from "./verification";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const later = new Date("2026-11-22T12:05:00Z");
const client = { ip: "203.0.113.7", userAgent: null };
const NEW_PASSWORD = "a brand new passphrase";

const userRow = (id: string) => db.selectFrom("user").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
const idOf = (token: string) => token.split(".")[0]!;

async function adaWithSessions() {
  const ada = await createUser(db, { email: "ada@example.com" });
  const [current, other1, other2] = await Promise.all([0, 1, 2].map(() => createSession(db, ada.id, client, now)));
  return { ada, current: current!.token, others: [other1!.token, other2!.token] };
}

describe("changePassword", () => {
  it(
    "refuses without the current password, and changes nothing",
    async () => {
      const { ada, current, others } = await adaWithSessions();
      const before = await userRow(ada.id);
      const result = await changePassword(
        db,
        { userId: ada.id, sessionId: idOf(current), currentPassword: "not my password", newPassword: NEW_PASSWORD, endOtherSessions: true, ip: client.ip },
        later,
      );
      expect(result).toEqual({ ok: false, reason: "wrong-password" });
      expect(await userRow(ada.id)).toEqual(before);
      for (const token of others) expect(await validateSessionToken(db, token, client, later)).not.toBeNull();
      expect(await queuedEmails(db)).toEqual([]);
    },
    60_000,
  );

  it(
    "ends the other sessions when asked, keeps the current one, and tells the owner",
    async () => {
      const { ada, current, others } = await adaWithSessions();
      const result = await changePassword(
        db,
        { userId: ada.id, sessionId: idOf(current), currentPassword: DEFAULT_PASSWORD, newPassword: NEW_PASSWORD, endOtherSessions: true, ip: client.ip },
        later,
      );
      expect(result).toEqual({ ok: true, endedSessions: 2 });
      expect(await verifyPassword((await userRow(ada.id)).password_hash, NEW_PASSWORD)).toBe(true);
      expect((await validateSessionToken(db, current, client, later))?.user.id).toBe(ada.id);
      for (const token of others) expect(await validateSessionToken(db, token, client, later)).toBeNull();
      const emails = await queuedEmails(db, "ada@example.com");
      expect(emails.map((e) => e.template)).toEqual(["password-changed"]);
      expect(emails[0]!.text_body).toContain("from Settings");
    },
    60_000,
  );

  it(
    "keeps the other sessions when not asked to end them",
    async () => {
      const { ada, current, others } = await adaWithSessions();
      const result = await changePassword(
        db,
        { userId: ada.id, sessionId: idOf(current), currentPassword: DEFAULT_PASSWORD, newPassword: NEW_PASSWORD, endOtherSessions: false, ip: client.ip },
        later,
      );
      expect(result).toEqual({ ok: true, endedSessions: 0 });
      for (const token of [current, ...others]) expect(await validateSessionToken(db, token, client, later)).not.toBeNull();
    },
    60_000,
  );
});

describe("changePassword and a pending email change", () => {
  it(
    "cancels a pending email change when the owner changes the password and signs out everywhere else",
    async () => {
      // The notice to the old address says: "If this was not you, change your
      // password and review your sessions". Doing so must stop the change.
      const { ada, current } = await adaWithSessions();
      expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: "mallory@evil.example", ip: client.ip }, now)).toEqual({ ok: true });
      const mallorysLink = await latestLinkToken(db, "mallory@evil.example", "/verify-email?token=");
      const result = await changePassword(
        db,
        { userId: ada.id, sessionId: idOf(current), currentPassword: DEFAULT_PASSWORD, newPassword: NEW_PASSWORD, endOtherSessions: true, ip: client.ip },
        later,
      );
      expect(result).toMatchObject({ ok: true });

      expect(await verifyLinkToken(db, mallorysLink, later)).toEqual({ ok: false, reason: "invalid-link" });
      expect((await userRow(ada.id)).email).toBe("ada@example.com");
    },
    60_000,
  );
});

describe("requestEmailChange", () => {
  it(
    "refuses without the password, and sends nothing",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com" });
      expect(await requestEmailChange(db, { userId: ada.id, password: "not my password", newEmail: "ada@new.example", ip: client.ip }, now)).toEqual({
        ok: false,
        reason: "wrong-password",
      });
      expect(await queuedEmails(db)).toEqual([]);
      expect(await pendingVerificationEmail(db, ada.id, "email-change")).toBeNull();
    },
    60_000,
  );

  it(
    "sends a code to the new address and a notice to the old one, and moves nothing until the code is back",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com" });
      expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: "ada@new.example", ip: client.ip }, now)).toEqual({ ok: true });

      const [toNew, ...moreToNew] = await queuedEmails(db, "ada@new.example");
      expect(moreToNew).toEqual([]);
      expect(toNew!.template).toBe("verify-email");
      expect(toNew!.text_body).toContain(`make this the email address of your ${getEnv().PRODUCT_NAME} account`);
      expect(toNew!.text_body).not.toContain("confirm your email address");

      const [toOld, ...moreToOld] = await queuedEmails(db, "ada@example.com");
      expect(moreToOld).toEqual([]);
      expect(toOld!.template).toBe("email-change-notice");
      expect(toOld!.text_body).toContain("ada@new.example");
      // The old address is told, but never given the code.
      const code = await latestVerificationCode(db, "ada@new.example");
      expect(toOld!.subject + toOld!.text_body).not.toContain(code);

      expect((await userRow(ada.id)).email).toBe("ada@example.com");
      expect(await pendingVerificationEmail(db, ada.id, "email-change")).toBe("ada@new.example");
      expect(await verifyCode(db, ada.id, "email-change", code, later)).toMatchObject({ ok: true });
      expect((await userRow(ada.id)).email).toBe("ada@new.example");
    },
    60_000,
  );

  it(
    "refuses the address the account already has",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com" });
      expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: "ada@example.com", ip: client.ip }, now)).toEqual({
        ok: false,
        reason: "same-email",
      });
      expect(await queuedEmails(db)).toEqual([]);
    },
    60_000,
  );
});

describe("guessing an email-change code", () => {
  const wrongCodeFor = (code: string) => (code === "00000000" ? "11111111" : "00000000");
  const minutesAfter = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);

  it(
    "counts the guesses per account across new codes: asking again brings no new tries",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com" });
      let tries = 0;
      let code = "";
      // 4 + 4 + 2 wrong tries at three successive codes: 10 in the hour.
      for (const [request, guesses] of [[0, 4], [1, 4], [2, 2]] as const) {
        const at = minutesAfter(now, request);
        expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: "ada@new.example", ip: client.ip }, at)).toEqual({ ok: true });
        code = await latestVerificationCode(db, "ada@new.example");
        for (let i = 0; i < guesses; i++, tries++) {
          expect(await confirmEmailChange(db, ada.id, wrongCodeFor(code), at)).toEqual({ ok: false, reason: "wrong-code" });
        }
      }
      expect(tries).toBe(EMAIL_CHANGE_CODE_LIMIT.limit);
      // The 11th try is refused before the code is even looked at, right or not.
      expect(await confirmEmailChange(db, ada.id, code, minutesAfter(now, 3))).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 57 * 60 });
      expect((await userRow(ada.id)).email).toBe("ada@example.com");

      // The next hour, a fresh code works.
      const nextHour = minutesAfter(now, 60);
      expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: "ada@new.example", ip: client.ip }, nextHour)).toEqual({ ok: true });
      expect(await confirmEmailChange(db, ada.id, await latestVerificationCode(db, "ada@new.example"), nextHour)).toMatchObject({ ok: true });
      expect((await userRow(ada.id)).email).toBe("ada@new.example");
    },
    60_000,
  );

  it(
    "limits the requests for a new code to 5 an hour",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com" });
      for (let i = 0; i < EMAIL_CHANGE_REQUEST_LIMIT.limit; i++) {
        expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: `ada${i}@new.example`, ip: client.ip }, minutesAfter(now, i))).toEqual({ ok: true });
      }
      expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: "ada9@new.example", ip: client.ip }, minutesAfter(now, 10))).toEqual({
        ok: false,
        reason: "too-many-requests",
        retryAfterSeconds: 50 * 60,
      });
      expect(await queuedEmails(db, "ada9@new.example")).toEqual([]);
    },
    60_000,
  );
});

describe("updateName", () => {
  it("sets and clears the name", async () => {
    const ada = await createUser(db, { name: "Ada" });
    await updateName(db, ada.id, "Ada Lovelace", now);
    expect(await userRow(ada.id)).toMatchObject({ name: "Ada Lovelace", updated_at: now });
    await updateName(db, ada.id, null, later);
    expect((await userRow(ada.id)).name).toBeNull();
  });
});
