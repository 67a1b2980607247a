// The password re-checks inside Settings and the email-change code, over HTTP
// against the production build, the way an attacker holding someone's session
// cookie would try them: each wrong try spends from the account's login
// allowance (429 after 10 in 15 minutes, login included), and asking for new
// email-change codes neither resets the count of guesses nor goes on forever.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGIN_LIMITS } from "../../app/.server/accounts/login";
import { createUser, DEFAULT_PASSWORD, latestVerificationCode, sessionCookieFor, type TestUser } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;

beforeAll(async () => {
  await truncateAll(db);
  // Each test speaks from its own IP (X-Forwarded-For from the loopback proxy),
  // so only the per-account allowance is in play.
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), TRUST_PROXY: "loopback" });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

let nextIp = 1;
function postAs(cookie: string, path: string, fields: Record<string, string>, ip: string) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", Cookie: cookie, "X-Forwarded-For": ip },
    body: new URLSearchParams(fields).toString(),
    redirect: "manual",
  });
}

async function signedInUser(label: string): Promise<{ user: TestUser; cookie: string; ip: string }> {
  const user = await createUser(db, { email: `${label}-${Date.now()}@example.com` });
  return { user, cookie: await sessionCookieFor(db, user), ip: `198.51.100.${nextIp++}` };
}

const FORMS: Array<{ name: string; path: string; fields: (password: string) => Record<string, string> }> = [
  { name: "change password", path: "/settings?intent=password", fields: (password) => ({ intent: "password", currentPassword: password, newPassword: "a brand new passphrase", endOtherSessions: "on" }) },
  { name: "change email", path: "/settings?intent=email", fields: (password) => ({ intent: "email", newEmail: "elsewhere@example.com", password }) },
  { name: "delete account", path: "/settings/delete-account?intent=delete", fields: (password) => ({ intent: "delete", password, confirmation: "delete my account" }) },
];

describe("password re-checks in Settings", () => {
  for (const form of FORMS) {
    it(`${form.name}: answers 429 after ${LOGIN_LIMITS.perAccount.limit} wrong passwords, then to the right one and to the login form too`, async () => {
      const { user, cookie, ip } = await signedInUser(form.name.replace(" ", "-"));
      for (let i = 0; i < LOGIN_LIMITS.perAccount.limit; i++) {
        const answer = await postAs(cookie, form.path, form.fields(`wrong guess ${i}`), ip);
        expect([400, 403], `try ${i + 1}`).toContain(answer.status);
      }
      const throttled = await postAs(cookie, form.path, form.fields(DEFAULT_PASSWORD), ip);
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await throttled.text()).toContain("Too many password attempts");
      // Nothing changed.
      const row = await db.selectFrom("user").select(["email", "deletion_requested_at"]).where("id", "=", user.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ email: user.email, deletion_requested_at: null });
      // One allowance: the login form is closed to this account for now as well.
      const login = await fetch(`${server.url}/login`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin", "X-Forwarded-For": "192.0.2.200" },
        body: new URLSearchParams({ email: user.email, password: DEFAULT_PASSWORD }).toString(),
        redirect: "manual",
      });
      expect(login.status).toBe(429);
    }, 120_000);
  }
});

describe("email-change codes", () => {
  it("counts guesses per account across new codes, and limits the requests for new codes", async () => {
    const { user, cookie, ip } = await signedInUser("code-guess");
    const requestCode = () => postAs(cookie, "/settings?intent=email", { intent: "email", newEmail: "mine-now@example.com", password: DEFAULT_PASSWORD }, ip);
    const guess = (code: string) => postAs(cookie, "/settings?intent=email-code", { intent: "email-code", code }, ip);

    let code = "";
    let wrongTries = 0;
    // Five codes (the most an hour allows), two wrong guesses at each: ten.
    for (let request = 0; request < 5; request++) {
      expect((await requestCode()).status).toBe(200);
      code = await latestVerificationCode(db, "mine-now@example.com");
      const wrong = code === "00000000" ? "11111111" : "00000000";
      for (let i = 0; i < 2; i++, wrongTries++) expect((await guess(wrong)).status).toBe(400);
    }
    expect(wrongTries).toBe(10);
    const sixthRequest = await requestCode();
    expect(sixthRequest.status).toBe(429);
    expect(await sixthRequest.text()).toContain("You asked for several codes already");
    // The live code itself is refused now: the account's guesses are spent.
    const right = await guess(code);
    expect(right.status).toBe(429);
    expect(await right.text()).toContain("Too many wrong codes");
    expect((await db.selectFrom("user").select("email").where("id", "=", user.id).executeTakeFirstOrThrow()).email).toBe(user.email);
  }, 120_000);
});
