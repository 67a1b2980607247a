import { createHash } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createUser, DEFAULT_PASSWORD, latestLinkToken, queuedEmails } from "../../../test/factories/users";
import { getEnv } from "../env";
import { verifyPassword } from "../password";
import { createSession, validateSessionToken } from "../session";
import { processDeferredAccountWork } from "./deferred-work-worker";
import { findResetTarget, requestPasswordReset, resetPassword } from "./password-reset";
import { requestEmailChange } from "./profile";
import { verifyLinkToken } from "./verification";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
const NEW_PASSWORD = "a brand new passphrase";
const client = { ip: "203.0.113.7", userAgent: null };

const passwordHash = async (id: string) => (await db.selectFrom("user").select("password_hash").where("id", "=", id).executeTakeFirstOrThrow()).password_hash;

/** Asks for a link, lets the worker do its half, and reads the link from the outbox. */
async function requestLink(email: string, at = now): Promise<string> {
  await requestPasswordReset(db, email, at);
  await processDeferredAccountWork(db, undefined, at);
  return latestLinkToken(db, email, "/reset-password/");
}

describe("requestPasswordReset", () => {
  it("does the same one thing for a known and an unknown address while answering; the worker mails only the real account", async () => {
    await createUser(db, { email: "ada@example.com" });
    await expect(requestPasswordReset(db, "nobody@example.com", now, "203.0.113.7")).resolves.toBeUndefined();
    await expect(requestPasswordReset(db, "ada@example.com", now, "203.0.113.7")).resolves.toBeUndefined();
    // Nothing about either address is decided yet: two alike rows wait for the worker.
    const waiting = await db.selectFrom("deferred_account_work").select(["kind", "email", "ip", "requested_at"]).orderBy("id").execute();
    expect(waiting).toEqual([
      { kind: "password-reset", email: "nobody@example.com", ip: "203.0.113.7", requested_at: now },
      { kind: "password-reset", email: "ada@example.com", ip: "203.0.113.7", requested_at: now },
    ]);
    expect(await queuedEmails(db)).toEqual([]);
    expect(await db.selectFrom("password_reset").select("token_hash").execute()).toEqual([]);

    expect(await processDeferredAccountWork(db, undefined, minutes(1))).toEqual({ claimed: 2 });
    expect((await queuedEmails(db)).map((email) => [email.template, email.to_address])).toEqual([["password-reset", "ada@example.com"]]);
    expect(await db.selectFrom("password_reset").select("token_hash").execute()).toHaveLength(1);
    expect(await db.selectFrom("deferred_account_work").select("id").execute()).toEqual([]);
  });

  it("sends no link that would arrive dead, when the worker comes to a request after its 30 minutes", async () => {
    await createUser(db, { email: "ada@example.com" });
    await requestPasswordReset(db, "ada@example.com", now);
    expect(await processDeferredAccountWork(db, undefined, minutes(31))).toEqual({ claimed: 1 });
    expect(await queuedEmails(db)).toEqual([]);
  });

  it("mails a real account a link built from PUBLIC_URL, and stores only the token's hash", async () => {
    const ada = await createUser(db, { email: "ada@example.com" });
    const token = await requestLink("ada@example.com");
    const [email, ...others] = await queuedEmails(db);
    expect(others).toEqual([]);
    expect(email).toMatchObject({ template: "password-reset", to_address: "ada@example.com" });
    expect(email!.text_body).toContain(new URL(`/reset-password/${token}`, getEnv().PUBLIC_URL).toString());

    const [row] = await db.selectFrom("password_reset").selectAll().execute();
    expect(row).toMatchObject({ user_id: ada.id, expires_at: minutes(30), used_at: null });
    expect(Buffer.from(row!.token_hash)).toEqual(createHash("sha256").update(token).digest());
  });
});

describe("resetPassword", () => {
  it(
    "sets the new password once; the same link a second time fails",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com" });
      const token = await requestLink("ada@example.com");
      expect(await findResetTarget(db, token, minutes(1))).toEqual({ userId: ada.id });
      expect(await resetPassword(db, token, NEW_PASSWORD, minutes(1))).toEqual({ ok: true });
      expect(await verifyPassword(await passwordHash(ada.id), NEW_PASSWORD)).toBe(true);
      expect(await verifyPassword(await passwordHash(ada.id), DEFAULT_PASSWORD)).toBe(false);

      expect(await findResetTarget(db, token, minutes(2))).toBeNull();
      expect(await resetPassword(db, token, "the attacker's choice", minutes(2))).toEqual({ ok: false });
      expect(await verifyPassword(await passwordHash(ada.id), NEW_PASSWORD)).toBe(true);
    },
    60_000,
  );

  it(
    "lets only one of two tabs racing with the same link succeed",
    async () => {
      await createUser(db, { email: "ada@example.com" });
      const token = await requestLink("ada@example.com");
      const results = await Promise.all(["first passphrase", "second passphrase"].map((password) => resetPassword(db, token, password, minutes(1))));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
    },
    60_000,
  );

  it(
    "refuses a link after 30 minutes",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com" });
      const token = await requestLink("ada@example.com");
      expect(await findResetTarget(db, token, minutes(29))).toEqual({ userId: ada.id });
      expect(await findResetTarget(db, token, minutes(30))).toBeNull();
      expect(await resetPassword(db, token, NEW_PASSWORD, minutes(31))).toEqual({ ok: false });
      expect(await verifyPassword(await passwordHash(ada.id), DEFAULT_PASSWORD)).toBe(true);
    },
    60_000,
  );

  it("refuses an invented or oversized token", async () => {
    await createUser(db, { email: "ada@example.com" });
    await requestLink("ada@example.com");
    expect(await findResetTarget(db, "not-a-token", now)).toBeNull();
    expect(await findResetTarget(db, "a".repeat(101), now)).toBeNull();
    expect(await resetPassword(db, "not-a-token", NEW_PASSWORD, now)).toEqual({ ok: false });
  });

  it(
    "ends every session of the account, kills its other links, and tells the owner",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com" });
      const bob = await createUser(db, { email: "bob@example.com" });
      const adaSessions = await Promise.all([0, 1].map(() => createSession(db, ada.id, client, now)));
      const bobSession = await createSession(db, bob.id, client, now);
      const older = await requestLink("ada@example.com", now);
      const token = await requestLink("ada@example.com", minutes(1));

      expect(await resetPassword(db, token, NEW_PASSWORD, minutes(2))).toEqual({ ok: true });
      for (const { token: sessionToken } of adaSessions) expect(await validateSessionToken(db, sessionToken, client, minutes(2))).toBeNull();
      expect(await validateSessionToken(db, bobSession.token, client, minutes(2))).not.toBeNull();
      expect(await resetPassword(db, older, "another passphrase", minutes(3))).toEqual({ ok: false });

      const emails = await queuedEmails(db, "ada@example.com");
      expect(emails.map((e) => e.template)).toEqual(["password-reset", "password-reset", "password-changed"]);
      expect(emails.at(-1)!.text_body).toContain("every signed-in session was ended");
    },
    60_000,
  );

  it(
    "verifies an unverified account, since the link proved the address",
    async () => {
      const ada = await createUser(db, { email: "ada@example.com", verified: false });
      const token = await requestLink("ada@example.com");
      expect(await resetPassword(db, token, NEW_PASSWORD, minutes(1))).toEqual({ ok: true });
      const row = await db.selectFrom("user").select("email_verified_at").where("id", "=", ada.id).executeTakeFirstOrThrow();
      expect(row.email_verified_at).toEqual(minutes(1));
    },
    60_000,
  );

  it(
    "keeps the original verification date of a verified account",
    async () => {
      const verifiedAt = new Date("2026-01-01T00:00:00Z");
      const ada = await createUser(db, { email: "ada@example.com", now: verifiedAt });
      const token = await requestLink("ada@example.com");
      expect(await resetPassword(db, token, NEW_PASSWORD, minutes(1))).toEqual({ ok: true });
      const row = await db.selectFrom("user").select("email_verified_at").where("id", "=", ada.id).executeTakeFirstOrThrow();
      expect(row.email_verified_at).toEqual(verifiedAt);
    },
    60_000,
  );

  it(
    "cancels a pending email change, so a link already sent to another address cannot move the account afterwards",
    async () => {
      // Someone who knows Ada's password asks to move her account to their own
      // address. Ada gets the notice, and recovers her account with a reset.
      const ada = await createUser(db, { email: "ada@example.com" });
      expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: "mallory@evil.example", ip: client.ip }, now)).toEqual({ ok: true });
      const mallorysLink = await latestLinkToken(db, "mallory@evil.example", "/verify-email?token=");
      const token = await requestLink("ada@example.com", minutes(1));
      expect(await resetPassword(db, token, NEW_PASSWORD, minutes(2))).toEqual({ ok: true });

      // The link needs no session, so ending sessions alone does not stop it.
      expect(await verifyLinkToken(db, mallorysLink, minutes(3))).toEqual({ ok: false, reason: "invalid-link" });
      const row = await db.selectFrom("user").select("email").where("id", "=", ada.id).executeTakeFirstOrThrow();
      expect(row.email).toBe("ada@example.com");
    },
    60_000,
  );
});
