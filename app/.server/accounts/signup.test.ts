import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createUser, latestLinkToken, queuedEmails } from "../../../test/factories/users";
import { normalizeEmail } from "../../utils/email-address";
import { getEnv } from "../env";
import { createSignupInvitation } from "./signup-invitations";
import { signUp, type SignupInput } from "./signup";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const PASSWORD = "a long and unusual passphrase";
const input = (email: string, extra: Partial<SignupInput> = {}): SignupInput => ({ email, password: PASSWORD, name: "Ada", invitationToken: null, ...extra });
const users = () => db.selectFrom("user").selectAll().execute();

async function inviteToken(email: string): Promise<string> {
  await db.transaction().execute((tx) => createSignupInvitation(tx, email, "test", now));
  return latestLinkToken(db, email, "/signup?invitation=");
}

describe("signUp in open mode", () => {
  it("creates one unverified account and queues a verification code", async () => {
    expect(await signUp(db, input("ada@example.com"), "open", now)).toEqual({ ok: true, kind: "check-email" });
    const [user, ...others] = await users();
    expect(others).toHaveLength(0);
    expect(user).toMatchObject({ email: "ada@example.com", name: "Ada", email_verified_at: null });
    expect(user!.password_hash).toMatch(/^\$argon2id\$/);
    expect(user!.password_hash).not.toContain(PASSWORD);
    const emails = await queuedEmails(db);
    expect(emails.map((e) => [e.template, e.to_address])).toEqual([["verify-email", "ada@example.com"]]);
    expect(emails[0]!.subject).not.toMatch(/\d/);
    expect(emails[0]!.text_body).toMatch(/^\s*\d{8}\s*$/m);
  });

  it(
    "creates exactly one account when 20 signups with one address race, and none of them fails",
    async () => {
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => signUp(db, input("ada@example.com"), "open", now)));
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(results.map((r) => r.status === "fulfilled" && r.value)).toEqual(Array(20).fill({ ok: true, kind: "check-email" }));
      expect(await users()).toHaveLength(1);

      // One verification for the account that was created, and one heads-up for
      // the other 19 (at most one an hour): the burst leaves the inbox's hourly
      // allowance for the code they may ask to have sent again.
      const emails = await queuedEmails(db, "ada@example.com");
      expect(emails.filter((e) => e.template === "verify-email")).toHaveLength(1);
      expect(emails.filter((e) => e.template === "signup-attempt")).toHaveLength(1);
      expect(emails).toHaveLength(2);
    },
    60_000,
  );

  it("treats case and full-width variants of one address as one account", async () => {
    const variants = ["Ada@Example.com", "ada@example.com", "ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ"];
    for (const [i, variant] of variants.entries()) {
      const normalized = normalizeEmail(variant);
      expect(normalized).toEqual({ ok: true, email: "ada@example.com" });
      if (!normalized.ok) return;
      expect(await signUp(db, input(normalized.email), "open", new Date(now.getTime() + i * 60_000))).toEqual({ ok: true, kind: "check-email" });
    }
    expect((await users()).map((u) => u.email)).toEqual(["ada@example.com"]);
    // The later two are the same address, so one heads-up (at most one an hour).
    expect((await queuedEmails(db)).map((e) => e.template)).toEqual(["verify-email", "signup-attempt"]);
  });

  it(
    "answers a signup with a registered address exactly like a new one, and mails the owner a heads-up instead of a code",
    async () => {
      const owner = await createUser(db, { email: "ada@example.com", now: new Date("2026-01-01T00:00:00Z") });
      const before = await db.selectFrom("user").selectAll().where("id", "=", owner.id).executeTakeFirstOrThrow();

      const existing = await signUp(db, input("ada@example.com", { password: "the intruder's password" }), "open", now);
      const fresh = await signUp(db, input("grace@example.com"), "open", now);
      expect(existing).toEqual(fresh);

      // Nothing about the existing account changes: not its password, not its name.
      expect(await db.selectFrom("user").selectAll().where("id", "=", owner.id).executeTakeFirstOrThrow()).toEqual(before);
      const toOwner = await queuedEmails(db, "ada@example.com");
      expect(toOwner.map((e) => e.template)).toEqual(["signup-attempt"]);
      expect(toOwner[0]!.text_body).toContain(new URL("/forgot-password", getEnv().PUBLIC_URL).toString());
      expect((await queuedEmails(db, "grace@example.com")).map((e) => e.template)).toEqual(["verify-email"]);
    },
    60_000,
  );
});

describe("signUp in invite-only mode", () => {
  it("refuses a signup without an invitation, and stores and sends nothing", async () => {
    expect(await signUp(db, input("ada@example.com"), "invite-only", now)).toEqual({ ok: false, reason: "invitation-required" });
    expect(await users()).toEqual([]);
    expect(await queuedEmails(db)).toEqual([]);
  });

  it("creates a verified account from a valid invitation, and the invitation works only once", async () => {
    const token = await inviteToken("grace@example.com");
    const result = await signUp(db, input("grace@example.com", { invitationToken: token }), "invite-only", now);
    expect(result).toMatchObject({ ok: true, kind: "signed-up-verified" });
    const [user] = await users();
    expect(result.ok && result.kind === "signed-up-verified" && result.userId).toBe(user!.id);
    expect(user!.email_verified_at).toEqual(now);
    // The invitation proved the address: no code to type.
    expect((await queuedEmails(db)).map((e) => e.template)).toEqual(["signup-invitation"]);

    const again = await signUp(db, input("grace@example.com", { invitationToken: token }), "invite-only", new Date(now.getTime() + 60_000));
    expect(again).toEqual({ ok: false, reason: "invitation-invalid" });
    expect(await users()).toHaveLength(1);
  });

  it("creates one account when two tabs use one invitation at once, without an error", async () => {
    const token = await inviteToken("grace@example.com");
    const results = await Promise.allSettled([0, 1].map(() => signUp(db, input("grace@example.com", { invitationToken: token }), "invite-only", now)));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const values = results.map((r) => (r.status === "fulfilled" ? r.value : null));
    expect(values.filter((v) => v?.ok)).toHaveLength(1);
    expect(await users()).toHaveLength(1);
  });

  it("refuses an invitation used with another address, and leaves it usable by its owner", async () => {
    const token = await inviteToken("grace@example.com");
    expect(await signUp(db, input("mallory@example.com", { invitationToken: token }), "invite-only", now)).toEqual({
      ok: false,
      reason: "invitation-other-email",
    });
    expect(await users()).toEqual([]);
    expect(await signUp(db, input("grace@example.com", { invitationToken: token }), "invite-only", now)).toMatchObject({ ok: true });
  });

  it("refuses an invitation after its 14 days, and an invented one", async () => {
    const token = await inviteToken("grace@example.com");
    const later = new Date(now.getTime() + 14 * 86_400_000);
    expect(await signUp(db, input("grace@example.com", { invitationToken: token }), "invite-only", later)).toEqual({ ok: false, reason: "invitation-invalid" });
    expect(await signUp(db, input("grace@example.com", { invitationToken: "not-a-real-token" }), "invite-only", now)).toEqual({
      ok: false,
      reason: "invitation-invalid",
    });
    expect(await users()).toEqual([]);
  });
});
