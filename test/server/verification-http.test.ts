// After the emailed link or code proves the address in the browser that signed
// up, that browser goes on signed in; a link opened anywhere else asks to log
// in. And cancelling a pending deletion says so on the page.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser, latestLinkToken, latestVerificationCode, sessionCookieFor } from "../factories/users";
import { connect, workerDatabaseUrl } from "../setup/databases";
import { HttpClient } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), SIGNUP_MODE: "open", TRUST_PROXY: "loopback" });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

// Each signup from its own address, so the per-IP signup limit (10 an hour) never answers instead.
let nextHost = 0;
const browser = () => new HttpClient(server.url, { "X-Forwarded-For": `10.77.0.${++nextHost}` });
const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString("hex")}@verify.test`;
const PASSWORD = "a long and unusual passphrase";

async function signUpIn(client: HttpClient, email: string) {
  const answer = await client.post("/signup", { email, password: PASSWORD, name: "" });
  expect(answer.status).toBe(200);
  const html = await answer.text();
  expect(html).toContain("Check your email");
  return { answer, html };
}

const isVerified = async (email: string) =>
  (await db.selectFrom("user").select("email_verified_at").where("email", "=", email).executeTakeFirstOrThrow()).email_verified_at !== null;

describe("confirming the address after signing up", () => {
  it("keeps the browser that signed up signed in when it follows the link", async () => {
    const email = uniqueEmail("link-here");
    const ada = browser();
    await signUpIn(ada, email);
    const token = await latestLinkToken(db, email, "/verify-email?token=");

    const confirmed = await ada.post("/verify-email", { intent: "link", token });
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("location")).toBe("/home");
    const settings = await ada.get("/settings");
    expect(settings.status).toBe(200);
    expect(await settings.text()).toContain(email);
    expect(await isVerified(email)).toBe(true);
  });

  it("asks another browser that follows the link to log in, and lets the first go on", async () => {
    const email = uniqueEmail("link-elsewhere");
    const laptop = browser();
    await signUpIn(laptop, email);
    const token = await latestLinkToken(db, email, "/verify-email?token=");

    const phone = browser();
    const confirmed = await phone.post("/verify-email", { intent: "link", token });
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("location")).toBe("/login?notice=verified");
    expect(await isVerified(email)).toBe(true);
    expect((await phone.get("/settings")).headers.get("location")).toBe("/login?redirectTo=%2Fsettings");
    expect((await laptop.get("/settings")).status).toBe(200);
  });

  it("does not sign a browser in as the owner of the link when it is signed in to another account", async () => {
    const email = uniqueEmail("link-other-account");
    await signUpIn(browser(), email);
    const token = await latestLinkToken(db, email, "/verify-email?token=");
    const grace = await createUser(db, { email: uniqueEmail("grace") });
    const cookie = await sessionCookieFor(db, grace);

    const confirmed = await fetch(`${server.url}/verify-email`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", Cookie: cookie },
      body: new URLSearchParams({ intent: "link", token }),
      redirect: "manual",
    });
    expect(confirmed.headers.get("location")).toBe("/login?notice=verified");
    expect(await isVerified(email)).toBe(true);
  });

  it("keeps the browser that signed up signed in when it enters the code", async () => {
    const email = uniqueEmail("code");
    const ada = browser();
    await signUpIn(ada, email);

    const form = await ada.get("/verify-email");
    expect(form.status).toBe(200);
    expect(await form.text()).toContain(`We sent an 8-digit code to <strong>${email}</strong>`);
    const confirmed = await ada.post("/verify-email", { intent: "code", code: await latestVerificationCode(db, email) });
    expect(confirmed.status).toBe(302);
    expect(confirmed.headers.get("location")).toBe("/home");
    expect((await ada.get("/settings")).status).toBe(200);
  });

  it("gives a browser nothing but the code form before the address is confirmed", async () => {
    const ada = browser();
    await signUpIn(ada, uniqueEmail("unconfirmed"));
    for (const path of ["/settings", "/orgs", "/settings/export"]) {
      const answer = await ada.get(path);
      expect(answer.status, path).toBe(302);
      expect(answer.headers.get("location"), path).toBe("/verify-email");
    }
  });

  it("answers a signup with a registered address exactly alike, cookie included, but that cookie opens nothing", async () => {
    const taken = await createUser(db, { email: uniqueEmail("taken") });
    const fresh = uniqueEmail("fresh");
    const [forTaken, forFresh] = [browser(), browser()];
    const [takenAnswer, freshAnswer] = [await signUpIn(forTaken, taken.email), await signUpIn(forFresh, fresh)];

    const cookieShape = ({ answer }: { answer: Response }) => answer.headers.getSetCookie().map((c) => c.replace(/=[a-z0-9]+\.[a-z0-9]+;/, "=<token>;"));
    expect(cookieShape(takenAnswer)).toEqual(cookieShape(freshAnswer));
    expect(cookieShape(takenAnswer)).toHaveLength(1);
    expect(cookieShape(takenAnswer)[0]).toMatch(/=<token>;/);
    const page = ({ html }: { html: string }, email: string) => html.replace(/nonce="[^"]*"/g, "").replaceAll(email, "<email>");
    expect(page(takenAnswer, taken.email)).toBe(page(freshAnswer, fresh));

    // The owner's account is not opened by someone signing up with its address.
    const answer = await forTaken.get("/verify-email");
    expect(answer.status).toBe(302);
    expect(answer.headers.get("location")).toMatch(/^\/login\?redirectTo=/);
  });
});

describe("cancelling a pending deletion", () => {
  it("says on the page that the account is no longer scheduled for deletion", async () => {
    const user = await createUser(db, { email: uniqueEmail("cancel") });
    await db
      .updateTable("user")
      .set({ deletion_requested_at: new Date(), purge_after: new Date(Date.now() + 7 * 86_400_000) })
      .where("id", "=", user.id)
      .execute();
    const cookie = await sessionCookieFor(db, user);

    const answer = await fetch(`${server.url}/settings/delete-account?intent=cancel`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", Cookie: cookie },
      body: new URLSearchParams({ intent: "cancel" }),
      redirect: "manual",
    });
    expect(answer.status).toBe(200);
    const html = await answer.text();
    expect(html).toContain("Your account is no longer scheduled for deletion");
    expect(html).toContain("Deletion cancelled. Your account and your data stay as they were.");
    const row = await db.selectFrom("user").select(["deletion_requested_at", "purge_after"]).where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ deletion_requested_at: null, purge_after: null });
  });
});
