// The operator's overview and user page, and the sessions page's confirmed
// "sign out everywhere else", over HTTP against the production build.
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COUNT_CAP, loadAdminOverview } from "../../app/.server/admin/overview";
import { createTestOrg } from "../factories/orgs";
import { createUser, sessionCookieFor, type TestUser } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { pageRequests } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;
beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl() });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});
beforeEach(() => truncateAll(db));

const { get, post } = pageRequests(() => server);
const pageText = async (response: Response) => (await response.text()).replaceAll("<!-- -->", "").replaceAll("&#x27;", "'");

async function operator(): Promise<{ user: TestUser; cookie: string }> {
  const user = await createUser(db, { email: "op@example.com", name: "Olive Operator" });
  await db.updateTable("user").set({ is_operator: true }).where("id", "=", user.id).execute();
  return { user, cookie: await sessionCookieFor(db, user) };
}

const sessionCount = async (userId: string) => Number((await db.selectFrom("session").select((eb) => eb.fn.countAll<string>().as("n")).where("user_id", "=", userId).executeTakeFirstOrThrow()).n);

describe("admin overview", () => {
  it("counts accounts, waitlist entries waiting, failed emails; links each to its log", async () => {
    const op = await operator();
    await createUser(db, { email: "a@example.com" });
    await db
      .insertInto("waitlist_entry")
      .values([
        { email: "w1@example.com", confirmed_at: new Date() },
        { email: "w2@example.com", confirmed_at: new Date(), invited_at: new Date() },
        { email: "w3@example.com" },
      ])
      .execute();
    await db.insertInto("outbox_email").values({ template: "x", to_address: "z@example.com", subject: "s", status: "failed", max_attempts: 3 }).execute();
    const overview = await loadAdminOverview(db, { billing: false });
    expect(overview.users).toEqual({ value: 2, capped: false });
    expect(overview.waitlistPending).toEqual({ value: 1, capped: false });
    expect(overview.emailsFailed).toEqual({ value: 1, capped: false });
    expect(overview.webhooksFailed).toBeNull();
    const page = await pageText(await get("/admin", op.cookie));
    expect(page).toContain("Waiting on the waitlist");
    expect(page).toContain('href="/admin/emails"');
  });

  it("stops counting at the cap and says so", async () => {
    await sql`insert into waitlist_entry (email, confirmed_at) select 'w' || g || '@example.com', now() from generate_series(1, ${COUNT_CAP + 5}::int) g`.execute(db);
    expect((await loadAdminOverview(db, { billing: true })).waitlistPending).toEqual({ value: COUNT_CAP, capped: true });
  });

  it("answers 404 to a customer", async () => {
    const customer = await createUser(db, { email: "c@example.com" });
    expect((await get("/admin", await sessionCookieFor(db, customer))).status).toBe(404);
  });
});

describe("admin user page", () => {
  it("shows the account, its sessions and orgs, without any secret", async () => {
    const op = await operator();
    const ada = await createUser(db, { email: "ada@example.com", name: "Ada Lovelace" });
    await sessionCookieFor(db, ada, { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0" });
    await createTestOrg(db, { slug: "acme", name: "Acme", owner: ada });
    const response = await get(`/admin/users/${ada.id}`, op.cookie);
    expect(response.status).toBe(200);
    const page = await pageText(response);
    for (const text of ["ada@example.com", "Ada Lovelace", "Firefox on Linux", "203.0.113.7", "Acme", "/acme"]) expect(page).toContain(text);
    expect(page).not.toMatch(/\$argon2/);
    const list = await pageText(await get("/admin/users", op.cookie));
    expect(list).toContain(`href="/admin/users/${ada.id}"`);
    expect((await get("/admin/users/not-a-uuid", op.cookie)).status).toBe(404);
    expect((await get("/admin/users/1b4e28ba-2fa1-41d2-883f-0016d3cca427", op.cookie)).status).toBe(404);
    expect((await get(`/admin/users/${ada.id}`, await sessionCookieFor(db, ada))).status).toBe(404);
  });

  it("ends their sessions, schedules and cancels a deletion — each only when confirmed", async () => {
    const op = await operator();
    const ada = await createUser(db, { email: "ada@example.com" });
    await sessionCookieFor(db, ada);
    await sessionCookieFor(db, ada);
    const path = `/admin/users/${ada.id}`;

    expect((await post(path, { intent: "end-sessions" }, op.cookie)).status).toBe(400);
    expect(await sessionCount(ada.id)).toBe(2);
    const ended = await post(path, { intent: "end-sessions", confirm: "yes" }, op.cookie);
    expect(await pageText(ended)).toContain("2 sessions were ended.");
    expect(await sessionCount(ada.id)).toBe(0);

    expect((await post(path, { intent: "delete-grace" }, op.cookie)).status).toBe(400);
    expect((await db.selectFrom("user").select("purge_after").where("id", "=", ada.id).executeTakeFirstOrThrow()).purge_after).toBeNull();
    expect((await post(path, { intent: "delete-grace", confirm: "yes" }, op.cookie)).status).toBe(200);
    expect((await db.selectFrom("user").select("purge_after").where("id", "=", ada.id).executeTakeFirstOrThrow()).purge_after).not.toBeNull();

    const cancelled = await post(path, { intent: "cancel-deletion" }, op.cookie);
    expect(await pageText(cancelled)).toContain("The deletion was cancelled.");
    expect((await db.selectFrom("user").select("purge_after").where("id", "=", ada.id).executeTakeFirstOrThrow()).purge_after).toBeNull();
  });

  it("erases now only with the address typed exactly, and never the operator's own account", async () => {
    const op = await operator();
    const ada = await createUser(db, { email: "ada@example.com" });
    const path = `/admin/users/${ada.id}`;
    for (const fields of [{ intent: "erase-now", confirm: "yes" } as Record<string, string>, { intent: "erase-now", confirm: "yes", confirmText: "ADA@example.com" }, { intent: "erase-now", confirmText: "ada@example.com" }]) {
      expect((await post(path, fields, op.cookie)).status, JSON.stringify(fields)).toBe(400);
    }
    expect(await db.selectFrom("user").select("id").where("id", "=", ada.id).executeTakeFirst()).toBeDefined();
    expect((await post(`/admin/users/${op.user.id}`, { intent: "erase-now", confirm: "yes", confirmText: op.user.email }, op.cookie)).status).toBe(400);

    const erased = await post(path, { intent: "erase-now", confirm: "yes", confirmText: " ada@example.com " }, op.cookie);
    expect(erased.status).toBe(302);
    expect(erased.headers.get("location")).toBe("/admin/users");
    expect(await db.selectFrom("user").select("id").where("id", "=", ada.id).executeTakeFirst()).toBeUndefined();
  });
});

describe("sessions page", () => {
  it("signs out everywhere else only with the confirmation, keeping this device", async () => {
    const ada = await createUser(db);
    const mine = await sessionCookieFor(db, ada, { userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15" });
    await sessionCookieFor(db, ada, { userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1" });
    const page = await pageText(await get("/settings/sessions", mine));
    expect(page).toContain("Safari on macOS");
    expect(page).toContain("This device");
    expect(page).toContain("Safari on iPhone");
    expect(page).toContain("Phone ·");

    expect((await post("/settings/sessions", { intent: "end-others" }, mine)).status).toBe(400);
    expect(await sessionCount(ada.id)).toBe(2);
    const done = await post("/settings/sessions", { intent: "end-others", confirm: "yes" }, mine);
    expect(await pageText(done)).toContain("1 session was ended.");
    expect(await sessionCount(ada.id)).toBe(1);
    expect((await get("/settings/sessions", mine)).status).toBe(200);
  });
});
