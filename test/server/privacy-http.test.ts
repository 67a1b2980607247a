// Privacy rights over HTTP, against the production build: the data export and
// its limit, policy notices (publishing, the banner, dismissing without
// JavaScript), and the optional Umami script with the CSP that allows it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestOrg } from "../factories/orgs";
import { createUser, queuedEmails, type TestUser, sessionCookieFor } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { fanOutNoticeBatch } from "../../app/.server/notices/fanout";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
const UMAMI_SCRIPT_URL = "https://stats.example.org/umami/script.js";
const UMAMI_WEBSITE_ID = "b1f0c5b6-6f0e-4b43-9a5e-2a4f4f2c1d10";

let server: ServerProcess; // the default: no analytics
let umamiServer: ServerProcess; // with the operator's Umami configured
beforeAll(async () => {
  await truncateAll(db);
  [server, umamiServer] = await Promise.all([
    startServer({ DATABASE_URL: workerDatabaseUrl() }),
    startServer({ DATABASE_URL: workerDatabaseUrl(), UMAMI_SCRIPT_URL, UMAMI_WEBSITE_ID }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([server?.stop(), umamiServer?.stop()]);
  await db.destroy();
});
beforeEach(() => truncateAll(db));

// ---- requests -------------------------------------------------------------

const signIn = (user: TestUser, client: { ip?: string; userAgent?: string } = {}) => sessionCookieFor(db, user, client);

async function operator(): Promise<{ user: TestUser; cookie: string }> {
  const user = await createUser(db, { email: "operator@example.com", name: "Op" });
  await db.updateTable("user").set({ is_operator: true }).where("id", "=", user.id).execute();
  return { user, cookie: await signIn(user) };
}

const get = (path: string, cookie?: string, target = server) => fetch(`${target.url}${path}`, { headers: cookie ? { Cookie: cookie } : {}, redirect: "manual" });

/** A form post the way a browser without JavaScript sends it, from our own pages. */
const post = (path: string, fields: Record<string, string>, cookie?: string) =>
  fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: `http://localhost:${server.port}`, ...(cookie ? { Cookie: cookie } : {}) },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });

/** Limits count in fixed windows; a test that fills one must not straddle two. */
async function awayFromWindowEdge(windowSeconds: number, marginMs = 20_000) {
  const left = windowSeconds * 1000 - (Date.now() % (windowSeconds * 1000));
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

/** A page's HTML without the comments React puts between adjacent text pieces. */
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "");

/** The banner region of a page, or null when the page has none. */
function banner(html: string): string | null {
  const start = html.indexOf('aria-label="Announcements"');
  if (start < 0) return null;
  return html.slice(start, html.indexOf('<h1', start) > 0 ? html.indexOf("<h1", start) : start + 5000);
}

const EXPORT_PATH = "/settings/export.json";

// ---- data export ----------------------------------------------------------

describe("data export", () => {
  it("offers the download on its page", async () => {
    const ada = await createUser(db);
    const response = await get("/settings/export", await signIn(ada));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Download your data");
    expect(html).toContain(`href="${EXPORT_PATH}"`);
  });

  it("downloads the person's data as a JSON attachment that no cache keeps, and nobody else's", async () => {
    const ada = await createUser(db, { email: "ada@example.com", name: "Ada" });
    const bob = await createUser(db, { email: "bob@example.com", name: "Bob" });
    await createTestOrg(db, { slug: "alpha", name: "Alpha", owner: ada, members: [{ user: bob, role: "member" }] });
    const cookie = await signIn(ada, { userAgent: "AdaBrowser/1.0" });
    await signIn(bob, { ip: "198.51.100.7", userAgent: "BobBrowser/1.0" });

    const response = await get(EXPORT_PATH, cookie);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="gatehouse-export-${new Date().toISOString().slice(0, 10)}.json"`);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const text = await response.text();
    const data = JSON.parse(text);
    expect(data.profile).toMatchObject({ email: "ada@example.com", name: "Ada", is_operator: false });
    expect(data.sessions).toEqual([expect.objectContaining({ ip: "127.0.0.1", user_agent: "AdaBrowser/1.0" })]);
    expect(data.memberships).toEqual([expect.objectContaining({ org_slug: "alpha", role: "owner" })]);
    for (const other of ["bob@example.com", "198.51.100.7", "BobBrowser", bob.id, ada.id, cookie.split("=")[1]!.split(".")[0]!]) {
      expect(text, other).not.toContain(other);
    }
  });

  it("answers 429 with Retry-After after 5 downloads in an hour", async () => {
    const ada = await createUser(db);
    const cookie = await signIn(ada);
    await awayFromWindowEdge(3600);
    for (let i = 0; i < 5; i++) expect((await get(EXPORT_PATH, cookie)).status, `download ${i + 1}`).toBe(200);
    const refused = await get(EXPORT_PATH, cookie);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.headers.get("content-disposition")).toBeNull();
    expect(await refused.text()).toMatch(/^You have downloaded your data 5 times this hour\. Please try again in \d+ minutes?\.$/m);

    // The limit is per person.
    const bob = await createUser(db, { email: "bob@example.com" });
    expect((await get(EXPORT_PATH, await signIn(bob))).status).toBe(200);
  });

  it("sends visitors to log in", async () => {
    const response = await get(EXPORT_PATH);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(EXPORT_PATH)}`);
  });
});

// ---- notices --------------------------------------------------------------

// confirm=yes: the operator confirmed the step that says everyone will be emailed.
const NOTICE = { title: "We updated our privacy policy", body: "Audit events are now kept for 365 days.\r\n\r\nNothing else changes.", link: "/privacy", confirm: "yes" };

describe("notices", () => {
  it("answer 404 to a signed-in user who is not an operator", async () => {
    const cookie = await signIn(await createUser(db));
    expect((await get("/admin/notices", cookie)).status).toBe(404);
    expect((await post("/admin/notices", NOTICE, cookie)).status).toBe(404);
    expect(await db.selectFrom("notice").selectAll().execute()).toEqual([]);
  });

  it("are published by an operator: one email per active account, and a banner on every page", async () => {
    const { cookie } = await operator();
    await createUser(db, { email: "ada@example.com" });
    await createUser(db, { email: "unverified@example.com", verified: false });
    const leaving = await createUser(db, { email: "leaving@example.com" });
    await db.updateTable("user").set({ deletion_requested_at: new Date(), purge_after: new Date(Date.now() + 7 * 86_400_000) }).where("id", "=", leaving.id).execute();

    const page = await get("/admin/notices", cookie);
    expect(page.status).toBe(200);
    expect(await pageText(page)).toContain("emails all 2 active accounts");

    const response = await post("/admin/notices", NOTICE, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/admin/notices?published=1");
    const notice = await db.selectFrom("notice").selectAll().executeTakeFirstOrThrow();
    expect(notice).toMatchObject({ title: NOTICE.title, body: "Audit events are now kept for 365 days.\n\nNothing else changes.", link: "/privacy" });

    // Nothing was queued inside the request: the worker does it, in batches
    // (this server runs without one, so the test runs the worker's pass).
    expect(await queuedEmails(db)).toEqual([]);
    while ((await fanOutNoticeBatch(db)).noticeId);
    const emails = await queuedEmails(db);
    expect(emails.map((e) => [e.template, e.to_address]).sort()).toEqual([
      ["policy-notice", "ada@example.com"],
      ["policy-notice", "operator@example.com"],
    ]);

    const after = await get("/admin/notices?published=1", cookie);
    const html = await pageText(after);
    expect(html).toContain("The notice is published. Its emails are being queued in the background");
    expect(html).toContain("2 queued");
    expect(html).toContain(NOTICE.title);

    // Visitors see the banner too, on every page, without a Dismiss button.
    for (const path of ["/", "/privacy", "/login"]) {
      const shown = banner(await pageText(await get(path)));
      expect(shown, path).toContain(NOTICE.title);
      expect(shown, path).toContain("Audit events are now kept for 365 days.");
      expect(shown, path).toContain('href="/privacy"');
      expect(shown, path).not.toContain("Dismiss");
    }
  });

  it("refuse a link outside the portal, keeping what was typed", async () => {
    const { cookie } = await operator();
    const response = await post("/admin/notices", { ...NOTICE, link: "https://evil.example/privacy" }, cookie);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain("Link must be a page of this portal, starting with / (like /privacy).");
    expect(html).toContain('value="https://evil.example/privacy"');
    expect(html).toContain("Audit events are now kept for 365 days.");
    expect(await db.selectFrom("notice").selectAll().execute()).toEqual([]);
    expect(await queuedEmails(db)).toEqual([]);
  });

  it("refuse a field the form does not have", async () => {
    const { cookie } = await operator();
    const response = await post("/admin/notices", { ...NOTICE, show_until: "2099-01-01" }, cookie);
    expect(response.status).toBe(400);
    expect(await db.selectFrom("notice").selectAll().execute()).toEqual([]);
  });

  it("are dismissed with a plain form post, for that person only", async () => {
    const { cookie: operatorCookie } = await operator();
    await post("/admin/notices", NOTICE, operatorCookie);
    const { id } = await db.selectFrom("notice").select("id").executeTakeFirstOrThrow();
    const ada = await createUser(db, { email: "ada@example.com" });
    const bob = await createUser(db, { email: "bob@example.com" });
    const adaCookie = await signIn(ada);

    const shown = banner(await pageText(await get("/privacy", adaCookie)));
    expect(shown).toContain(`action="/notices/${id}/dismiss"`);
    expect(shown).toContain('name="returnTo" value="/privacy"');

    const dismissed = await post(`/notices/${id}/dismiss`, { returnTo: "/privacy" }, adaCookie);
    expect(dismissed.status).toBe(303);
    expect(dismissed.headers.get("location")).toBe("/privacy");
    expect(banner(await pageText(await get("/privacy", adaCookie)))).toBeNull();

    // Signed in, "/" is the home page.
    expect(banner(await pageText(await get("/home", await signIn(bob))))).toContain(NOTICE.title);
    expect(banner(await pageText(await get("/")))).toContain(NOTICE.title);
  });

  it("send a dismissal back home rather than to another site", async () => {
    const { cookie } = await operator();
    await post("/admin/notices", NOTICE, cookie);
    const { id } = await db.selectFrom("notice").select("id").executeTakeFirstOrThrow();
    for (const returnTo of ["https://evil.example/", "//evil.example", "/\\evil.example"]) {
      const response = await post(`/notices/${id}/dismiss`, { returnTo }, cookie);
      expect(response.status, returnTo).toBe(303);
      expect(response.headers.get("location"), returnTo).toBe("/");
    }
  });

  it("answer 404 to a dismissal of something that is not a notice id", async () => {
    const cookie = await signIn(await createUser(db));
    expect((await post("/notices/not-a-uuid/dismiss", { returnTo: "/" }, cookie)).status).toBe(404);
    expect((await get("/notices/00000000-0000-4000-8000-000000000000/dismiss", cookie)).status).toBe(404);
  });
});

// ---- analytics ------------------------------------------------------------

describe("page-view analytics", () => {
  it("are off by default: no script, the default CSP, and the privacy page says nothing counts page views", async () => {
    const response = await get("/privacy");
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+';/);
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain("stats.example.org");
    const html = await response.text();
    expect(html).not.toContain("data-website-id");
    expect(html).toContain("Nothing counts page views on this site");
    expect(html).toContain("It is the only cookie this site ever sets.");
  });

  it("load the operator's Umami script with this response's nonce, allowed by the CSP, and the privacy page says so", async () => {
    const response = await get("/privacy", undefined, umamiServer);
    const csp = response.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}' https://stats.example.org;`);
    expect(csp).toContain("connect-src 'self' https://stats.example.org;");
    const html = await response.text();
    const tag = /<script[^>]*data-website-id[^>]*>/.exec(html)?.[0];
    expect(tag).toBeDefined();
    expect(tag).toContain(`src="${UMAMI_SCRIPT_URL}"`);
    expect(tag).toContain(`data-website-id="${UMAMI_WEBSITE_ID}"`);
    expect(tag).toContain(`nonce="${nonce}"`);
    expect(tag).toMatch(/\sdefer[\s=>]/);
    expect(html).toContain("own Umami analytics at <code>https://stats.example.org</code>");
    expect(html).toContain("It sets no cookie and collects no personal data");
    expect(html).toContain("It is the only cookie this site ever sets.");
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});
