import { createHash } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createUser, queuedEmails, type TestUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { getEnv } from "../env";
import { NOTICE_DAYS } from "../../utils/notice-limits";
import { BANNER_CACHE_MS, bannerNotices, forgetCachedBanners } from "./banner";
import { fanOutNoticeBatch } from "./fanout";
import { countActiveAccounts, dismissNotice, publishNotice } from "./notices";
import { NoticeSchema } from "./schema";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
const publicOrigin = () => getEnv().PUBLIC_URL.origin;

let operator: TestUser, ada: TestUser, bob: TestUser;
beforeEach(async () => {
  operator = await createUser(db, { email: "operator@example.com", name: "Op" });
  ada = await createUser(db, { email: "ada@example.com", name: "Ada" });
  bob = await createUser(db, { email: "bob@example.com", name: "Bob" });
  await createUser(db, { email: "unverified@example.com", verified: false });
  const leaving = await createUser(db, { email: "leaving@example.com" });
  await db.updateTable("user").set({ deletion_requested_at: now, purge_after: days(7) }).where("id", "=", leaving.id).execute();
  // Accounts that existed when the notices below are published (the fan-out covers those).
  await db.updateTable("user").set({ created_at: days(-10) }).execute();
});

const input = (overrides: Partial<{ title: string; body: string; link: string | null }> = {}) => ({
  title: "We updated our privacy policy",
  body: "Audit events are now kept for 365 days.\n\nNothing else changes.",
  link: "/privacy" as string | null,
  createdBy: operator.id,
  ...overrides,
});

/** Runs the worker's fan-out until no notice is left to fan out; the passes it took. */
async function fanOutAll(batchSize = 500) {
  const passes = [];
  for (let i = 0; i < 100; i++) {
    const pass = await fanOutNoticeBatch(db, { batchSize, now });
    if (pass.claimed === 0 && pass.noticeId === null) return passes;
    passes.push(pass);
  }
  throw new Error("the fan-out did not finish");
}

describe("publishNotice", () => {
  it("stores the notice and returns; the worker queues one email per active account, none to unverified or leaving accounts", async () => {
    const result = await publishNotice(db, input(), now);
    expect(await queuedEmails(db)).toEqual([]); // nothing inside the request
    expect(await fanOutAll()).toEqual([{ claimed: 3, noticeId: result.noticeId, done: true }]);
    expect(await db.selectFrom("notice").select(["emails_queued", "emails_refused"]).executeTakeFirstOrThrow()).toEqual({ emails_queued: 3, emails_refused: 0 });

    const notice = await db.selectFrom("notice").selectAll().executeTakeFirstOrThrow();
    expect(notice).toMatchObject({ id: result.noticeId, title: "We updated our privacy policy", link: "/privacy", created_by: operator.id, published_at: now, show_until: days(NOTICE_DAYS) });
    expect(notice.body).toBe("Audit events are now kept for 365 days.\n\nNothing else changes.");

    const emails = await queuedEmails(db);
    expect(emails.map((e) => e.to_address).sort()).toEqual(["ada@example.com", "bob@example.com", "operator@example.com"]);
    for (const email of emails) {
      expect(email.template).toBe("policy-notice");
      expect(email.subject).toContain("We updated our privacy policy");
      expect(email.text_body).toContain("Audit events are now kept for 365 days.");
    }
  });

  it("links the email to the page on PUBLIC_URL, never anywhere else", async () => {
    await publishNotice(db, input({ link: "/privacy#audit" }), now);
    await fanOutAll();
    const [email] = await queuedEmails(db, "ada@example.com");
    expect(email!.text_body).toContain(`${publicOrigin()}/privacy#audit`);
    const { html } = await db.selectFrom("outbox_email").select("html").where("to_address", "=", "ada@example.com").executeTakeFirstOrThrow();
    const hrefs = [...html!.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
    expect(hrefs).toContain(`${publicOrigin()}/privacy#audit`);
    for (const href of hrefs) expect(href.startsWith("mailto:") || new URL(href).origin === publicOrigin(), href).toBe(true);
  });

  it("sends without a link when none is given", async () => {
    await publishNotice(db, input({ link: null }), now);
    await fanOutAll();
    const [email] = await queuedEmails(db, "ada@example.com");
    expect(email!.text_body).not.toContain("Read more");
    expect(await db.selectFrom("notice").select("link").executeTakeFirstOrThrow()).toEqual({ link: null });
  });

  it("reaches someone who already got this hour's quota of other emails", async () => {
    const key = `email:recipient:${createHash("sha256").update("ada@example.com").digest("hex")}`;
    const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
    await db.insertInto("rate_limit").values({ key, window_start: hour, count: 10_000, expires_at: new Date(hour.getTime() + 3_600_000) }).execute();
    await publishNotice(db, input(), now);
    await fanOutAll();
    expect(await queuedEmails(db, "ada@example.com")).toHaveLength(1);
  });

  it("refuses a link that is not a path, and stores nothing", async () => {
    await expect(publishNotice(db, input({ link: "https://evil.example/privacy" }), now)).rejects.toThrow("not a path");
    expect(await db.selectFrom("notice").selectAll().execute()).toEqual([]);
    expect(await queuedEmails(db)).toEqual([]);
  });
});

describe("countActiveAccounts", () => {
  it("counts the verified accounts not being deleted", async () => {
    expect(await countActiveAccounts(db)).toEqual({ count: 3, atLeast: false });
  });
});

describe("NoticeSchema", () => {
  const parse = (fields: Record<string, string>) => NoticeSchema.safeParse({ title: "Title", body: "Body", ...fields });
  const errorOn = (fields: Record<string, string>) => {
    const result = parse(fields);
    return result.success ? null : result.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
  };

  it("accepts paths within the portal and makes an empty link null", () => {
    for (const link of ["/privacy", "/settings/export", "/privacy?tab=1#cookies", " /privacy "]) {
      const result = parse({ link });
      expect(result.success, link).toBe(true);
      expect(result.data?.link, link).toBe(link.trim());
    }
    expect(parse({ link: "" }).data?.link).toBeNull();
    expect(parse({}).data?.link).toBeNull();
  });

  it("refuses links that leave the portal or are not paths", () => {
    for (const link of ["https://evil.example/privacy", "//evil.example/privacy", "/\\evil.example", "javascript:alert(1)", "privacy", "/a/../..//evil.example", "/%2F%2Fevil.example", `/${"a".repeat(600)}`]) {
      const result = parse({ link });
      expect(result.success, link).toBe(false);
    }
    expect(errorOn({ link: "https://evil.example" })).toEqual(["link: Link must be a page of this portal, starting with / (like /privacy)."]);
  });

  it("keeps the body's line breaks, folds CRLF, and refuses other control characters", () => {
    expect(parse({ body: "  First.\r\n\r\nSecond\rline.  " }).data?.body).toBe("First.\n\nSecond\nline.");
    for (const body of ["Tab\there", "Bell\u0007", "Escape\u001b[31m", "C1\u0085"]) {
      expect(errorOn({ body }), JSON.stringify(body)).toEqual(["body: Body contains characters that are not allowed."]);
    }
  });

  it("limits the title to one line of 120 characters and the body to 5000", () => {
    expect(parse({ title: "é".repeat(120), body: "x".repeat(5000) }).success).toBe(true);
    expect(errorOn({ title: "x".repeat(121) })).toEqual(["title: Title must be at most 120 characters."]);
    expect(errorOn({ title: "Two\nlines" })).toEqual(["title: Title contains characters that are not allowed."]);
    expect(errorOn({ body: "x".repeat(5001) })).toEqual(["body: Body must be at most 5000 characters."]);
    expect(errorOn({ title: "  ", body: "\n\n" })).toEqual(["title: Title is required.", "body: Body is required."]);
  });
});

describe("banner notices", () => {
  beforeEach(() => forgetCachedBanners()); // a list cached by an earlier test names rows truncated since
  it("shows a published notice to everyone until it is dismissed, then only to the others", async () => {
    const { noticeId } = await publishNotice(db, input(), now);
    const titles = async (userId: string | null, at = days(1)) => (await bannerNotices(db, userId, at)).map((n) => n.title);
    expect(await titles(ada.id)).toEqual(["We updated our privacy policy"]);

    expect(await dismissNotice(db, noticeId, ada.id, days(1))).toEqual({ dismissed: true });
    expect(await titles(ada.id)).toEqual([]);
    expect(await titles(bob.id)).toEqual(["We updated our privacy policy"]);
    expect(await titles(null)).toEqual(["We updated our privacy policy"]);

    // Dismissing again changes nothing.
    expect(await dismissNotice(db, noticeId, ada.id, days(2))).toEqual({ dismissed: false });
    expect(await db.selectFrom("notice_dismissal").selectAll().execute()).toEqual([{ notice_id: noticeId, user_id: ada.id, dismissed_at: days(1) }]);
  });

  it("stops showing a notice after 30 days, and never shows one before it is published", async () => {
    await publishNotice(db, input(), now);
    expect(await bannerNotices(db, null, days(-1))).toEqual([]);
    expect(await bannerNotices(db, null, days(NOTICE_DAYS - 0.01))).toHaveLength(1);
    expect(await bannerNotices(db, null, days(NOTICE_DAYS))).toEqual([]);
  });

  it("lists the newest notices first, with their link", async () => {
    await publishNotice(db, input({ title: "Older", link: null }), now);
    await publishNotice(db, input({ title: "Newer" }), days(1));
    expect(await bannerNotices(db, bob.id, days(2))).toMatchObject([
      { title: "Newer", link: "/privacy" },
      { title: "Older", link: null },
    ]);
  });

  it("records nothing for a notice that does not exist", async () => {
    expect(await dismissNotice(db, "00000000-0000-4000-8000-000000000000", ada.id, now)).toEqual({ dismissed: false });
    expect(await db.selectFrom("notice_dismissal").selectAll().execute()).toEqual([]);
  });

  it("keeps the banner list for a few seconds per process, but reads dismissals and publications at once", async () => {
    const at = (ms: number) => new Date(days(1).getTime() + ms);
    const titles = async (userId: string | null, when: Date) => (await bannerNotices(db, userId, when)).map((n) => n.title);
    expect(await titles(null, at(0))).toEqual([]);

    // Published elsewhere (another replica): seen once the cached list expires.
    await db.insertInto("notice").values({ title: "From another replica", body: "Text", published_at: now, show_until: days(30) }).execute();
    expect(await titles(null, at(BANNER_CACHE_MS - 1))).toEqual([]);
    expect(await titles(ada.id, at(BANNER_CACHE_MS))).toEqual(["From another replica"]);

    // Published here: seen at once. Dismissed: gone at once, for that person only.
    const { noticeId } = await publishNotice(db, input({ title: "From this replica" }), at(BANNER_CACHE_MS + 1));
    expect(await titles(ada.id, at(BANNER_CACHE_MS + 2))).toEqual(["From this replica", "From another replica"]);
    await dismissNotice(db, noticeId, ada.id, at(BANNER_CACHE_MS + 3));
    expect(await titles(ada.id, at(BANNER_CACHE_MS + 4))).toEqual(["From another replica"]);
    expect(await titles(bob.id, at(BANNER_CACHE_MS + 4))).toEqual(["From this replica", "From another replica"]);
  });
});
