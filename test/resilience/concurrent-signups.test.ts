// Twenty people (or one impatient one, or a script) submit the same address at
// once, through the production build: one account or one waitlist entry, no
// errors, one verification or confirmation email, and answers that do not tell
// the requests apart, so the race says nothing about who has an account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashesEqual, hashToken } from "../../app/.server/tokens";
import { WAITLIST_LIMITS } from "../../app/.server/waitlist/submit";
import { queuedEmails } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { HttpClient, waitlistFormStamps } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;
let ip = 0;
const nextIp = () => `10.30.${Math.floor(++ip / 250)}.${ip % 250}`;
const RACERS = 20;

beforeAll(async () => {
  await truncateAll(db);
  // No worker: the queued emails stay in the outbox, to be counted.
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), SIGNUP_MODE: "open", WAITLIST_MIN_FILL_MS: "0", TRUST_PROXY: "loopback" });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

/** Each racer is its own browser on its own address (the per-IP limits are not what is tested here). */
const browser = () => new HttpClient(server.url, { "X-Forwarded-For": nextIp() });

/** The page as a visitor reads it: without what every response has afresh (the script nonce, a new waitlist form stamp). */
const pageOf = async (response: Response) =>
  (await response.text()).replace(/nonce="[^"]*"/g, 'nonce=""').replace(/\d{13}\.[\w-]{16}\.[\w-]{43}/g, "<stamp>"); // the form's stamp: time.nonce.signature

describe("racing submissions of one address", () => {
  it("creates one account from 20 parallel signups, answers each alike, and queues one verification code", async () => {
    // Spellings of one address (case, full-width) race too: they normalise to one.
    const spellings = ["race@example.com", "Race@Example.com", "RACE@EXAMPLE.COM", "ｒａｃｅ＠ｅｘａｍｐｌｅ．ｃｏｍ"];
    const responses = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => browser().post("/signup", { email: spellings[i % spellings.length]!, name: "", password: "a long and unusual passphrase" })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(RACERS).fill(200));
    // Each answer sets one session cookie of the same shape: the winner's opens
    // a session that can only confirm the address, the others' open nothing.
    const cookieShape = (r: Response) => r.headers.getSetCookie().map((cookie) => cookie.replace(/=[a-z0-9]+\.[a-z0-9]+;/, "=<token>;"));
    expect(new Set(responses.map((r) => JSON.stringify(cookieShape(r)))).size).toBe(1);
    expect(cookieShape(responses[0]!)).toEqual([expect.stringMatching(/=<token>;/)]);
    expect(await db.selectFrom("session").select("id").execute()).toHaveLength(1);
    const pages = await Promise.all(responses.map(pageOf));
    expect(pages[0]).toContain("Check your email");
    expect(new Set(pages).size).toBe(1);

    // A signup with the address now registered reads the same as the race did.
    expect(await pageOf(await browser().post("/signup", { email: "race@example.com", name: "", password: "another long passphrase here" }))).toBe(pages[0]);

    const users = await db.selectFrom("user").select(["id", "email", "email_verified_at"]).execute();
    expect(users).toEqual([{ id: expect.any(String), email: "race@example.com", email_verified_at: null }]);

    // One verification, and it carries the code that is stored: no racer replaced it.
    const emails = await queuedEmails(db);
    const verifications = emails.filter((email) => email.template === "verify-email");
    expect(verifications).toHaveLength(1);
    const code = /^\s*(\d{8})\s*$/m.exec(verifications[0]!.text_body ?? "")![1]!;
    const pending = await db.selectFrom("email_verification").select(["user_id", "code_hash"]).execute();
    expect(pending).toHaveLength(1);
    expect(pending[0]!.user_id).toBe(users[0]!.id);
    expect(hashesEqual(pending[0]!.code_hash, hashToken(code))).toBe(true);

    // The losers together mail the owner one heads-up ("someone tried to sign up
    // with your address", signup.ts: at most one an hour), so the burst does not
    // use up the inbox's hourly allowance.
    expect(emails.filter((email) => email.template === "signup-attempt")).toHaveLength(1);
    expect(emails).toHaveLength(2);
    expect(emails.every((email) => email.to_address === "race@example.com")).toBe(true);
  });

  it("keeps one waitlist entry from 20 parallel joins, answers alike, and queues one confirmation", async () => {
    const stamps = await waitlistFormStamps(server.url, RACERS); // each racer its own page view
    const responses = await Promise.all(
      stamps.map((stamp) => browser().post("/waitlist", { email: "queue@example.com", name: "", company: "", website: "", startedAt: stamp })),
    );
    // The per-address limit lets the first few through and asks the rest to wait,
    // as it would for the same joins one after another.
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(WAITLIST_LIMITS.perEmail.limit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(RACERS - WAITLIST_LIMITS.perEmail.limit);
    const pages = await Promise.all(responses.map(pageOf));
    const accepted = pages.filter((_, i) => statuses[i] === 200);
    expect(accepted[0]).toContain("Thanks! Check your inbox");
    expect(new Set(accepted).size).toBe(1);
    expect(new Set(pages.filter((_, i) => statuses[i] === 429)).size).toBe(1);

    const entries = await db.selectFrom("waitlist_entry").select(["email", "confirm_token_hash", "confirmation_sent_at"]).execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ email: "queue@example.com", confirmation_sent_at: expect.any(Date) });

    // One confirmation, and its link is the one stored.
    const confirmations = await queuedEmails(db, "queue@example.com");
    expect(confirmations.map((email) => email.template)).toEqual(["waitlist-confirm"]);
    const token = /\/waitlist\/confirm\/([a-z0-9]+)/.exec(confirmations[0]!.text_body ?? "")![1]!;
    expect(hashesEqual(entries[0]!.confirm_token_hash!, hashToken(token))).toBe(true);
  });
});
