import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { latestLinkToken, queuedEmails } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { WaitlistSchema } from "../../utils/waitlist-schema";
import { getEnv } from "../env";
import { confirmWaitlistEntry, joinWaitlist, type JoinInput } from "./join";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const later = (ms: number) => new Date(now.getTime() + ms);
const client = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Test" };

/** What the action hands to joinWaitlist: the form's fields after the schema ran. */
function formInput(fields: Record<string, string>): JoinInput {
  const { email, name, company } = WaitlistSchema.parse(fields);
  return { email, name, company };
}

const entries = () => db.selectFrom("waitlist_entry").selectAll().orderBy("created_at").execute();
const confirmations = async (to?: string) => (await queuedEmails(db, to)).filter((email) => email.template === "waitlist-confirm");
const confirmToken = (email: string) => latestLinkToken(db, email, "/waitlist/confirm/");

describe("joinWaitlist", () => {
  it("stores the normalized email with name, company, IP and user agent, and queues one confirmation", async () => {
    await joinWaitlist(db, formInput({ email: "  Ada+News@Example.COM ", name: " Ada Lovelace ", company: "Analytical Engines" }), client, now);

    const [entry, ...others] = await entries();
    expect(others).toHaveLength(0);
    expect(entry).toMatchObject({
      email: "ada+news@example.com",
      name: "Ada Lovelace",
      company: "Analytical Engines",
      ip: "203.0.113.7",
      user_agent: "Mozilla/5.0 (X11; Linux x86_64) Test",
      created_at: now,
      confirmation_sent_at: now,
      confirmed_at: null,
      invited_at: null,
    });
    // Only the hash of the link's token is stored, and it expires.
    expect(entry!.confirm_token_hash).toBeInstanceOf(Uint8Array);
    expect(entry!.confirm_expires_at).toEqual(later(7 * DAY));

    const emails = await queuedEmails(db);
    expect(emails.map((e) => [e.template, e.to_address])).toEqual([["waitlist-confirm", "ada+news@example.com"]]);
    const origin = getEnv().PUBLIC_URL.origin;
    expect(emails[0]!.text_body).toContain(`${origin}/waitlist/confirm/`);
    const token = await confirmToken("ada+news@example.com");
    expect(Buffer.from(entry!.confirm_token_hash!).toString("hex")).not.toContain(token);
  });

  it("keeps one entry for case, full-width and surrounding-space variants of one address", async () => {
    for (const email of ["Ada@Example.com", "ａｄａ＠ｅｘａｍｐｌｅ．ｃｏｍ", "  ADA@EXAMPLE.COM\t"]) {
      await joinWaitlist(db, formInput({ email }), client, now);
    }
    expect((await entries()).map((e) => e.email)).toEqual(["ada@example.com"]);
    expect(await confirmations()).toHaveLength(1);
  });

  it("stores an internationalized domain in its punycode form", async () => {
    await joinWaitlist(db, formInput({ email: "User@BÜCHER.example" }), client, now);
    await joinWaitlist(db, formInput({ email: "user@bücher.example" }), client, now);
    expect((await entries()).map((e) => e.email)).toEqual(["user@xn--bcher-kva.example"]);
  });

  it("stores missing name and company as null", async () => {
    await joinWaitlist(db, formInput({ email: "ada@example.com", name: "   ", company: "" }), { ip: "203.0.113.7", userAgent: null }, now);
    expect(await entries()).toMatchObject([{ name: null, company: null, user_agent: null }]);
  });

  it("guards the email with a unique index in the database", async () => {
    await joinWaitlist(db, formInput({ email: "ada@example.com" }), client, now);
    await expect(db.insertInto("waitlist_entry").values({ email: "ada@example.com" }).execute()).rejects.toMatchObject({ code: "23505" });
  });

  it(
    "creates one entry and one confirmation when 20 joins of one address race, and none of them fails",
    async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) => joinWaitlist(db, { email: "ada@example.com", name: `Ada ${i}`, company: null }, client, now)),
      );
      expect(results.filter((r) => r.status === "rejected")).toEqual([]);
      expect(await entries()).toHaveLength(1);
      expect(await confirmations("ada@example.com")).toHaveLength(1);
    },
    60_000,
  );

  it("changes nothing and sends no second email when the same address joins again within a day", async () => {
    await joinWaitlist(db, { email: "ada@example.com", name: "Ada", company: "Engines" }, client, now);
    const [before] = await entries();

    const otherClient = { ip: "198.51.100.9", userAgent: "curl/8.0" };
    await joinWaitlist(db, { email: "ada@example.com", name: "Mallory", company: "Evil Corp" }, otherClient, later(23 * HOUR));

    const [after, ...others] = await entries();
    expect(others).toHaveLength(0);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ name: "Ada", company: "Engines", ip: "203.0.113.7", user_agent: client.userAgent });
    expect(await confirmations()).toHaveLength(1);
  });

  it("sends a fresh confirmation after a day while the entry is still unconfirmed, and the old link stops working", async () => {
    await joinWaitlist(db, { email: "ada@example.com", name: "Ada", company: null }, client, now);
    const firstToken = await confirmToken("ada@example.com");

    await joinWaitlist(db, { email: "ada@example.com", name: "Mallory", company: "Evil Corp" }, { ip: "198.51.100.9", userAgent: "curl/8.0" }, later(DAY + 1));

    const emails = await confirmations("ada@example.com");
    expect(emails).toHaveLength(2);
    // The reminder still greets the person who joined, not whoever asked again.
    expect(emails[1]!.text_body).toContain("Hi Ada,");
    const [entry] = await entries();
    expect(entry).toMatchObject({ name: "Ada", company: null, ip: "203.0.113.7", confirmation_sent_at: later(DAY + 1) });

    const secondToken = await confirmToken("ada@example.com");
    expect(secondToken).not.toBe(firstToken);
    expect(await confirmWaitlistEntry(db, firstToken, later(DAY + 2))).toEqual({ ok: false });
    expect(await confirmWaitlistEntry(db, secondToken, later(DAY + 2))).toEqual({ ok: true });
  });

  it("sends no more confirmations once the entry is confirmed", async () => {
    await joinWaitlist(db, { email: "ada@example.com", name: null, company: null }, client, now);
    expect(await confirmWaitlistEntry(db, await confirmToken("ada@example.com"), later(HOUR))).toEqual({ ok: true });

    await joinWaitlist(db, { email: "ada@example.com", name: null, company: null }, client, later(3 * DAY));
    expect(await confirmations()).toHaveLength(1);
  });
});

describe("confirmWaitlistEntry", () => {
  it("confirms the entry once, and rejects the same link used a second time", async () => {
    await joinWaitlist(db, { email: "ada@example.com", name: null, company: null }, client, now);
    const token = await confirmToken("ada@example.com");

    expect(await confirmWaitlistEntry(db, token, later(HOUR))).toEqual({ ok: true });
    expect(await entries()).toMatchObject([{ confirmed_at: later(HOUR), confirm_token_hash: null, confirm_expires_at: null }]);

    expect(await confirmWaitlistEntry(db, token, later(2 * HOUR))).toEqual({ ok: false });
    expect(await entries()).toMatchObject([{ confirmed_at: later(HOUR) }]);
  });

  it("rejects a link after it expires", async () => {
    await joinWaitlist(db, { email: "ada@example.com", name: null, company: null }, client, now);
    const token = await confirmToken("ada@example.com");

    expect(await confirmWaitlistEntry(db, token, later(8 * DAY))).toEqual({ ok: false });
    expect(await entries()).toMatchObject([{ confirmed_at: null }]);
  });

  it("rejects unknown, empty and oversized tokens", async () => {
    await joinWaitlist(db, { email: "ada@example.com", name: null, company: null }, client, now);
    const token = await confirmToken("ada@example.com");

    for (const forged of ["", "a".repeat(32), `${token}x`, token.repeat(4)]) {
      expect(await confirmWaitlistEntry(db, forged, later(HOUR)), forged).toEqual({ ok: false });
    }
    expect(await entries()).toMatchObject([{ confirmed_at: null }]);
  });
});

describe("joinWaitlist with a claim (the form's stamp)", () => {
  it("joins nothing when the claim is refused", async () => {
    expect(await joinWaitlist(db, formInput({ email: "ada@example.com" }), client, now, async () => false)).toBe(false);
    expect(await entries()).toEqual([]);
    expect(await confirmations()).toEqual([]);
  });

  it("undoes the claim when the join fails, so the stamp is not used up", async () => {
    const claim = (tx: Parameters<NonNullable<Parameters<typeof joinWaitlist>[4]>>[0]) =>
      tx.insertInto("rate_limit").values({ key: "claim-test", window_start: now, count: 1, expires_at: later(DAY) }).returning("key").executeTakeFirst().then(Boolean);
    // PostgreSQL refuses a NUL in text: the insert fails inside the transaction, after the claim.
    await expect(joinWaitlist(db, { email: "ada@example.com", name: "Ada\u0000", company: null }, client, now, claim)).rejects.toThrow();
    const claims = () => db.selectFrom("rate_limit").select("key").where("key", "=", "claim-test").execute();
    expect(await claims()).toEqual([]);
    expect(await entries()).toEqual([]);
    expect(await joinWaitlist(db, formInput({ email: "ada@example.com" }), client, now, claim)).toBe(true);
    expect(await claims()).toEqual([{ key: "claim-test" }]);
  });
});
