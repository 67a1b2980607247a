// The waitlist over HTTP, against the production build: the JavaScript-off
// form post, the quiet bot checks, limits, confirmation, and the operator pages.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PRESS_AGAIN, WAITLIST_LIMITS } from "../../app/.server/waitlist/submit";
import { createUser, latestLinkToken, queuedEmails, sessionCookieFor } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";
import { waitlistFormStamp, pageRequests } from "../setup/http-client";

const db = connect(workerDatabaseUrl());

// The migration creates the form-signing key and truncation removes it; the
// servers cache the key they first read, so it is always this one.
const KEY = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
async function resetDatabase() {
  await truncateAll(db);
  await db.insertInto("instance_secret").values({ name: "form-signing-key", value: KEY }).execute();
}

let server: ServerProcess; // WAITLIST_MIN_FILL_MS=0: tests post as fast as they like
let strictServer: ServerProcess; // the default minimum fill time (2 s), disposable domains blocked
beforeAll(async () => {
  await resetDatabase();
  [server, strictServer] = await Promise.all([
    startServer({ DATABASE_URL: workerDatabaseUrl(), WAITLIST_MIN_FILL_MS: "0" }),
    startServer({ DATABASE_URL: workerDatabaseUrl(), WAITLIST_BLOCK_DISPOSABLE: "true" }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([server?.stop(), strictServer?.stop()]);
  await db.destroy();
});
beforeEach(resetDatabase);

const SUCCESS = "Thanks! Check your inbox";
const entries = () => db.selectFrom("waitlist_entry").selectAll().orderBy("created_at").execute();

const stampFrom = (target: ServerProcess) => waitlistFormStamp(target.url);

/** A stamp signed with the instance key, issued `ageMs` ago (what a person who took their time would send). */
const agedStamp = (ageMs: number, key = KEY) => {
  const issuedAt = Date.now() - ageMs;
  const nonce = `n${Math.random().toString(36).slice(2)}`;
  return `${issuedAt}.${nonce}.${createHmac("sha256", key).update(`waitlist:${issuedAt}:${nonce}`).digest("base64url")}`;
};

/** The stamp the page (or the action's answer) tells the browser to send next. */
const stampIn = (html: string) => /name="startedAt" value="([^"]+)"/.exec(html)?.[1];

/** The body a browser without JavaScript sends, in the form's field order. */
function formBody(fields: Record<string, string>): URLSearchParams {
  return new URLSearchParams({ startedAt: "", website: "", email: "", name: "", company: "", ...fields });
}

function post(target: ServerProcess, path: string, body: URLSearchParams, headers: Record<string, string> = {}) {
  return fetch(`${target.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: `http://localhost:${target.port}`, ...headers },
    body,
    redirect: "manual",
  });
}

/** Limits count in fixed windows; a test that fills one must not straddle two. */
async function awayFromWindowEdge(windowSeconds: number, marginMs = 30_000) {
  const left = windowSeconds * 1000 - (Date.now() % (windowSeconds * 1000));
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

async function join(fields: Record<string, string>, options: { target?: ServerProcess; headers?: Record<string, string> } = {}) {
  const target = options.target ?? server;
  const startedAt = fields.startedAt ?? (await stampFrom(target));
  return post(target, "/waitlist", formBody({ ...fields, startedAt }), options.headers);
}

describe("joining without JavaScript", () => {
  it("answers with the success page and stores the entry", async () => {
    const response = await join({ email: "Ada@Example.com", name: "Ada Lovelace", company: "Engines" }, { headers: { "User-Agent": "TestBrowser/1.0" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await response.text()).toContain(SUCCESS);
    expect(await entries()).toMatchObject([{ email: "ada@example.com", name: "Ada Lovelace", company: "Engines", user_agent: "TestBrowser/1.0" }]);
    expect((await queuedEmails(db)).map((e) => [e.template, e.to_address])).toEqual([["waitlist-confirm", "ada@example.com"]]);
  });

  it("answers a second join of the same address exactly like the first", async () => {
    const first = await join({ email: "ada@example.com", name: "Ada" });
    const second = await join({ email: "ADA@example.com", name: "Someone Else" });
    expect([first.status, second.status]).toEqual([200, 200]);
    const strip = (html: string) => html.replace(/nonce="[^"]*"|value="\d+\.[^"]*"|\d{13}\.[\w-]+\.[\w-]{43}/g, "");
    expect(strip(await second.text())).toBe(strip(await first.text()));
    expect(await entries()).toMatchObject([{ name: "Ada" }]);
    expect(await queuedEmails(db)).toHaveLength(1);
  });

  it(
    "keeps one entry and sends one email when joins of one address race, and none of them fails",
    async () => {
      // Each racer is its own browser, with its own page (and stamp).
      const stamps = await Promise.all(Array.from({ length: WAITLIST_LIMITS.perEmail.limit }, () => stampFrom(server)));
      await awayFromWindowEdge(WAITLIST_LIMITS.perEmail.windowSeconds);
      const responses = await Promise.all(stamps.map((startedAt, i) => join({ email: i % 2 ? "ada@example.com" : "ADA@example.com", name: `Ada ${i}`, startedAt })));
      expect(responses.map((r) => r.status)).toEqual(Array(WAITLIST_LIMITS.perEmail.limit).fill(200));
      expect(await entries()).toHaveLength(1);
      expect(await queuedEmails(db)).toHaveLength(1);
    },
    60_000,
  );

  it("stores the socket's IP, not a forged X-Forwarded-For", async () => {
    const response = await join({ email: "ada@example.com" }, { headers: { "X-Forwarded-For": "6.6.6.6", "X-Real-IP": "6.6.6.6" } });
    expect(response.status).toBe(200);
    expect(await entries()).toMatchObject([{ ip: "127.0.0.1" }]);
  });

  it("shows the field's message and keeps what was typed when the email is invalid", async () => {
    const response = await join({ email: "not-an-email", name: "Ada Lovelace", company: "Engines" });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Enter a valid email address, like name@example.com.");
    expect(html).toContain('value="not-an-email"');
    expect(html).toContain('value="Ada Lovelace"');
    expect(html).toContain('value="Engines"');
    expect(html).not.toContain(SUCCESS);
    expect(await entries()).toEqual([]);
  });

  it("rejects a name with a control character", async () => {
    const response = await join({ email: "ada@example.com", name: "Ada\u0007Lovelace" });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Name contains characters that are not allowed.");
    expect(await entries()).toEqual([]);
  });

  it("rejects a name that is too long", async () => {
    const response = await join({ email: "ada@example.com", name: "A".repeat(101) });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Name must be at most 100 characters.");
  });

  it("refuses a disposable address where the blocklist is on, and only there", async () => {
    const blocked = await join({ email: "someone@mailinator.com", name: "Ada", startedAt: agedStamp(5_000) }, { target: strictServer });
    expect(blocked.status).toBe(400);
    const html = await blocked.text();
    expect(html).toContain("Please use a permanent email address, not a disposable one.");
    expect(html).toContain('value="someone@mailinator.com"');
    expect(await entries()).toEqual([]);

    expect((await join({ email: "someone@mailinator.com" })).status).toBe(200);
    expect(await entries()).toHaveLength(1);
  });

  it("rejects a field the form does not have", async () => {
    const startedAt = await stampFrom(server);
    const body = formBody({ email: "ada@example.com", startedAt });
    body.append("is_operator", "true");
    const response = await post(server, "/waitlist", body);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain("Unexpected field");
    expect(await entries()).toEqual([]);
  });
});

describe("joining with JavaScript", () => {
  it("answers the background request and stores the entry", async () => {
    const startedAt = await stampFrom(server);
    const response = await post(server, "/waitlist.data", formBody({ email: "ada@example.com", startedAt }));
    expect(response.status).toBe(200);
    expect(await entries()).toMatchObject([{ email: "ada@example.com", ip: "127.0.0.1" }]);
  });
});

describe("bots", () => {
  it("see success but store nothing when they fill the honeypot", async () => {
    const response = await join({ email: "bot@example.com", website: "http://spam.example" });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain(SUCCESS);
    expect(await entries()).toEqual([]);
    expect(await queuedEmails(db)).toEqual([]);
  });

  it("see success but store nothing without a valid form stamp", async () => {
    const forged = agedStamp(10_000, "not-the-instance-key");
    const fromTheFuture = agedStamp(-60_000);
    for (const startedAt of ["", "garbage", `${Date.now() - 10_000}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`, forged, fromTheFuture, `${agedStamp(10_000)}.extra`]) {
      const response = await join({ email: "bot@example.com", startedAt });
      expect(response.status, startedAt).toBe(200);
      expect(await response.text()).toContain(SUCCESS);
    }
    const body = new URLSearchParams({ email: "bot@example.com" });
    const bare = await post(server, "/waitlist", body);
    expect(bare.status).toBe(200);
    expect(await entries()).toEqual([]);
  });

});

describe("people who are quick, or come back", () => {
  it("asks someone who sent the form faster than the minimum fill time to press again, keeping what they typed", async () => {
    // A password manager fills the form and the person clicks at once.
    const startedAt = await stampFrom(strictServer);
    const fast = await join({ email: "fast@example.com", name: "Quick Ada", company: "Engines", startedAt }, { target: strictServer });
    expect(fast.status).toBe(400);
    const html = await fast.text();
    expect(html).toContain(PRESS_AGAIN.tooFast);
    expect(html).not.toContain(SUCCESS);
    for (const typed of ['value="fast@example.com"', 'value="Quick Ada"', 'value="Engines"']) expect(html).toContain(typed);
    expect(await entries()).toEqual([]);
    expect(await queuedEmails(db)).toEqual([]);

    // The answer carries the same stamp on, so pressing again a moment later goes through.
    const again = stampIn(html);
    expect(again).toBe(startedAt);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Number(again!.split(".")[0]) + 2_100 - Date.now())));
    const second = await join({ email: "fast@example.com", name: "Quick Ada", company: "Engines", startedAt: again! }, { target: strictServer });
    expect(second.status).toBe(200);
    expect(await second.text()).toContain(SUCCESS);
    expect((await entries()).map((e) => e.email)).toEqual(["fast@example.com"]);
  });

  it("shows a quick person's field errors rather than pretending success", async () => {
    const response = await join({ email: "not-an-email" }, { target: strictServer });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Enter a valid email address, like name@example.com.");
    expect(html).not.toContain(SUCCESS);
  });

  it("takes the form at once from someone who took their time", async () => {
    const patient = await join({ email: "patient@example.com", startedAt: agedStamp(5_000) }, { target: strictServer });
    expect(patient.status).toBe(200);
    expect((await entries()).map((e) => e.email)).toEqual(["patient@example.com"]);
  });

  it("admits one join per stamp: a second one gets a fresh form to send, and nothing is stored", async () => {
    const startedAt = await stampFrom(server);
    expect((await join({ email: "first@example.com", startedAt })).status).toBe(200);

    // The back button, or a bot replaying one page view.
    const replay = await join({ email: "second@example.com", name: "Grace", startedAt });
    expect(replay.status).toBe(400);
    const html = await replay.text();
    expect(html).not.toContain(SUCCESS);
    expect(html).toContain('value="second@example.com"');
    expect((await entries()).map((e) => e.email)).toEqual(["first@example.com"]);
    const fresh = stampIn(html);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(startedAt);

    const again = await join({ email: "second@example.com", name: "Grace", startedAt: fresh! });
    expect(again.status).toBe(200);
    expect((await entries()).map((e) => e.email)).toEqual(["first@example.com", "second@example.com"]);
    // And the first stamp stays used up, on every replica: the mark is in the database.
    expect((await join({ email: "third@example.com", startedAt }, { target: strictServer })).status).toBe(400);
  });

  it("asks someone whose page is more than a day old to press again, with a fresh stamp", async () => {
    const old = agedStamp(24 * 60 * 60 * 1000 + 60_000);
    const response = await join({ email: "slow@example.com", startedAt: old });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("This form was out of date");
    expect(stampIn(html)).not.toBe(old);
    expect(await entries()).toEqual([]);
  });

  it("keeps the stamp of a form sent back to fix a field, so the fixed form goes through", async () => {
    const startedAt = await stampFrom(server);
    const invalid = await join({ email: "not-an-email", startedAt });
    expect(invalid.status).toBe(400);
    expect(stampIn(await invalid.text())).toBe(startedAt);
    expect((await join({ email: "fixed@example.com", startedAt })).status).toBe(200);
  });
});

describe("rate limits", () => {
  it(
    "answer 429 with Retry-After once one IP has joined too often",
    async () => {
      const { limit, windowSeconds } = WAITLIST_LIMITS.perIp;
      const stamps = await Promise.all(Array.from({ length: limit + 1 }, () => stampFrom(server)));
      await awayFromWindowEdge(windowSeconds);
      for (let i = 0; i < limit; i++) {
        const response = await join({ email: `person${i}@example.com`, startedAt: stamps[i]! });
        expect(response.status, `post ${i + 1}`).toBe(200);
      }
      const response = await join({ email: "one-too-many@example.com", startedAt: stamps[limit]! });
      expect(response.status).toBe(429);
      const retryAfter = Number(response.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
      expect(await response.text()).toContain("Too many attempts");
      expect(await entries()).toHaveLength(limit);
    },
    60_000,
  );

  it("answer 429 with Retry-After to the background (JavaScript) request too", async () => {
    const { limit } = WAITLIST_LIMITS.perIp;
    const startedAt = await stampFrom(server);
    // This IP already used up the current window (and the next, should the clock roll over).
    const windowMs = WAITLIST_LIMITS.perIp.windowSeconds * 1000;
    const windowStart = Math.floor(Date.now() / windowMs) * windowMs;
    await db
      .insertInto("rate_limit")
      .values([0, 1].map((n) => ({ key: "waitlist:ip:127.0.0.1", window_start: new Date(windowStart + n * windowMs), count: limit, expires_at: new Date(windowStart + (n + 1) * windowMs) })))
      .execute();
    const response = await post(server, "/waitlist.data", formBody({ email: "ada@example.com", startedAt }));
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("answer 429 once one address was submitted too often", async () => {
    const { limit, windowSeconds } = WAITLIST_LIMITS.perEmail;
    const stamps = await Promise.all(Array.from({ length: limit + 1 }, () => stampFrom(server)));
    await awayFromWindowEdge(windowSeconds);
    for (let i = 0; i < limit; i++) expect((await join({ email: "ada@example.com", startedAt: stamps[i]! })).status).toBe(200);
    const response = await join({ email: "Ada@Example.com", startedAt: stamps[limit]! });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});

describe("confirmation link", () => {
  it("asks for a click instead of confirming on GET, then confirms once", async () => {
    await join({ email: "ada@example.com" });
    const token = await latestLinkToken(db, "ada@example.com", "/waitlist/confirm/");
    const path = `/waitlist/confirm/${token}`;

    const page = await fetch(`${server.url}${path}`);
    expect(page.status).toBe(200);
    expect(page.headers.get("referrer-policy")?.split(",").at(-1)?.trim()).toBe("no-referrer");
    expect(await page.text()).toContain("Confirm my place");
    expect(await entries()).toMatchObject([{ confirmed_at: null }]);

    const confirmed = await post(server, path, new URLSearchParams());
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("You are confirmed.");
    expect((await entries())[0]!.confirmed_at).toBeInstanceOf(Date);

    const reused = await post(server, path, new URLSearchParams());
    expect(reused.status).toBe(410);
    expect(await reused.text()).toContain("This link has expired or was already used.");
  });
});

describe("operator pages", () => {
  async function cookieFor(options: { operator: boolean }): Promise<string> {
    const user = await createUser(db, { email: options.operator ? "operator@example.com" : "member@example.com" });
    if (options.operator) await db.updateTable("user").set({ is_operator: true }).where("id", "=", user.id).execute();
    return sessionCookieFor(db, user);
  }

  const { get } = pageRequests(() => server);

  it("render names and companies escaped", async () => {
    expect((await join({ email: "xss@example.com", name: "<script>alert(1)</script>", company: '"><img src=x onerror=alert(2)>' })).status).toBe(200);
    const response = await get("/admin/waitlist", await cookieFor({ operator: true }));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("xss@example.com");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("127.0.0.1");
  });

  it("ignore a sort that is not on the allow-list", async () => {
    await join({ email: "ada@example.com" });
    const response = await get(`/admin/waitlist?sort=${encodeURIComponent("email;drop table waitlist_entry")}&dir=up&filter=x&page=-1`, await cookieFor({ operator: true }));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("ada@example.com");
    expect(await entries()).toHaveLength(1);
  });

  it("export CSV with formula cells escaped", async () => {
    await db
      .insertInto("waitlist_entry")
      .values([
        { email: "ada@example.com", name: '=HYPERLINK("http://evil.example","click")', company: "@SUM(A1)", ip: "127.0.0.1" },
        { email: "bob@example.com", name: "Bob", company: null, ip: null },
      ])
      .execute();
    const response = await get("/admin/waitlist.csv", await cookieFor({ operator: true }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="waitlist-\d{4}-\d{2}-\d{2}\.csv"$/);
    const csv = await response.text();
    const lines = csv.split("\r\n");
    expect(lines[0]).toBe('"email","name","company","joined","confirmed","invited","ip","user agent"');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")","'@SUM(A1)"`);
    expect(csv).toMatch(/"bob@example\.com","Bob","","\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z","","","",""/);
  });

  it("invite the selected entries", async () => {
    await join({ email: "ada@example.com" });
    const [entry] = await entries();
    const cookie = await cookieFor({ operator: true });
    const response = await post(server, "/admin/waitlist", new URLSearchParams({ entryId: entry!.id }), { Cookie: cookie });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Invited 1.");
    expect((await entries())[0]!.invited_at).toBeInstanceOf(Date);
    expect((await queuedEmails(db, "ada@example.com")).map((e) => e.template)).toEqual(["waitlist-confirm", "signup-invitation"]);
  });

  it("send anonymous visitors to log in", async () => {
    for (const path of ["/admin/waitlist", "/admin/waitlist.csv"]) {
      const response = await get(path);
      expect(response.status, path).toBe(302);
      expect(response.headers.get("location"), path).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
    }
  });

  it("answer 404 to a signed-in user who is not an operator", async () => {
    const cookie = await cookieFor({ operator: false });
    for (const path of ["/admin/waitlist", "/admin/waitlist.csv"]) {
      const response = await get(path, cookie);
      expect(response.status, path).toBe(404);
    }
    const invite = await post(server, "/admin/waitlist", new URLSearchParams({ entryId: "00000000-0000-4000-8000-000000000000" }), { Cookie: cookie });
    expect(invite.status).toBe(404);
  });
});
