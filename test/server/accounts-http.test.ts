// Accounts over HTTP, against the production build: the session cookie, CSRF on
// logout, redirects after login, enumeration, throttling, form validation and
// who may open which page. Mail goes through the real Resend SDK to the fake
// Resend API, delivered by the server's own background worker.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeResend, type SentEmail, resendServerEnv } from "../fakes/resend";
import { createUser, type TestUser } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";

const db = connect(workerDatabaseUrl());
const resend = new FakeResend();
const HTTPS_ORIGIN = "https://accounts.gatehouse.test";

let server: ServerProcess; // http://localhost:<port>, with the worker delivering mail
let httpsServer: ServerProcess; // PUBLIC_URL=https://..., as behind a TLS-terminating proxy

beforeAll(async () => {
  // Rate-limit counters are rows too: start from nothing, whatever ran before.
  await truncateAll(db);
  const resendUrl = await resend.start();
  [server, httpsServer] = await Promise.all([
    startServer({
      DATABASE_URL: workerDatabaseUrl(),
      SIGNUP_MODE: "open",
      ...resendServerEnv(resendUrl, "Gatehouse Tests <no-reply@accounts.test>"),
    }),
    startServer({ DATABASE_URL: workerDatabaseUrl(), PUBLIC_URL: HTTPS_ORIGIN }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([server?.stop(), httpsServer?.stop()]);
  await Promise.all([resend.stop(), db.destroy()]);
});

// Every test has its own accounts, so no test spends another's login allowance.
// All of them log in from 127.0.0.1, whose allowance (50 in 15 minutes) the
// whole file shares: about 30 logins are spent here.
const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString("hex")}@accounts.test`;
const newUser = (label: string, options: { verified?: boolean } = {}) => createUser(db, { email: uniqueEmail(label), ...options });

type Answer = { status: number; location: string | null; cookies: string[]; headers: Headers; body: string };

async function send(target: ServerProcess, path: string, init: RequestInit & { cookie?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (init.cookie) headers.set("Cookie", init.cookie);
  const response = await fetch(`${target.url}${path}`, { ...init, headers, redirect: "manual" });
  return {
    status: response.status,
    location: response.headers.get("location"),
    cookies: response.headers.getSetCookie(),
    headers: response.headers,
    body: await response.text(),
  };
}

const get = (target: ServerProcess, path: string, cookie?: string) => send(target, path, { cookie });

type PostOptions = { cookie?: string; headers?: Record<string, string> };

/**
 * A form post as a browser without JavaScript sends it from one of our pages:
 * Sec-Fetch-Site: same-origin, unless `headers` names an Origin instead (as an
 * older browser, or one behind the https proxy, would send).
 */
function post(target: ServerProcess, path: string, fields: Record<string, string>, options: PostOptions = {}) {
  const proof: Record<string, string> = options.headers?.Origin ? {} : { "Sec-Fetch-Site": "same-origin" };
  return send(target, path, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...proof, ...options.headers },
    body: new URLSearchParams(fields).toString(),
    cookie: options.cookie,
  });
}

/** "name=value" of the first Set-Cookie, ready to send back. */
function cookieOf(answer: Answer): string {
  const first = answer.cookies[0];
  if (!first) throw new Error(`no Set-Cookie in a ${answer.status} answer to the login`);
  return first.split(";", 1)[0]!;
}

/** The Set-Cookie header split into its name, value and lower-cased attributes. */
function parseSetCookie(header: string) {
  const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
  const [name = "", ...value] = pair.split("=");
  return { name, value: value.join("="), attributes: attributes.map((attribute) => attribute.toLowerCase()) };
}

async function logIn(user: TestUser, options: { redirectTo?: string; target?: ServerProcess; headers?: Record<string, string> } = {}) {
  const fields: Record<string, string> = { email: user.email, password: user.password };
  if (options.redirectTo !== undefined) fields.redirectTo = options.redirectTo;
  return post(options.target ?? server, "/login", fields, { headers: options.headers });
}

async function signedIn(user: TestUser): Promise<string> {
  const answer = await logIn(user);
  expect(answer.status, answer.body.slice(0, 500)).toBe(302);
  return cookieOf(answer);
}

/** What a reader sees of an HTML page: no scripts, no tags, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<script\b[\s\S]*?<\/script>/gi, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

async function waitForEmail(to: string, subject: RegExp, timeoutMs = 20_000): Promise<SentEmail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = resend.messages(to).filter((email) => subject.test(email.subject));
    if (found.length > 0) return found.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no email to ${to} like ${subject}; the fake received: ${JSON.stringify(resend.messages().map((m) => [m.to, m.subject]))}`);
}

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Lax and Path=/, and not Secure when PUBLIC_URL is http", async () => {
    const user = await newUser("cookie");
    const answer = await logIn(user);
    expect(answer.status).toBe(302);
    expect(answer.cookies).toHaveLength(1);
    const cookie = parseSetCookie(answer.cookies[0]!);
    expect(cookie.name).toBe("gatehouse_session");
    expect(cookie.value).toMatch(/^[a-z0-9]+\.[a-z0-9]+$/);
    expect(cookie.attributes).toEqual(expect.arrayContaining(["httponly", "samesite=lax", "path=/"]));
    expect(cookie.attributes).not.toContain("secure");
    expect(cookie.attributes.some((attribute) => attribute.startsWith("domain="))).toBe(false);

    expect((await get(server, "/settings", cookieOf(answer))).status).toBe(200);
  });

  it("is named __Host-gatehouse_session and Secure when PUBLIC_URL is https", async () => {
    const user = await newUser("https");
    // Behind the TLS proxy the browser's Origin is the https one.
    const answer = await logIn(user, { target: httpsServer, headers: { Origin: HTTPS_ORIGIN } });
    expect(answer.status, answer.body.slice(0, 500)).toBe(302);
    const cookie = parseSetCookie(answer.cookies[0]!);
    expect(cookie.name).toBe("__Host-gatehouse_session");
    // __Host- needs Secure and Path=/ and no Domain, or browsers drop the cookie.
    expect(cookie.attributes).toEqual(expect.arrayContaining(["secure", "httponly", "samesite=lax", "path=/"]));
    expect(cookie.attributes.some((attribute) => attribute.startsWith("domain="))).toBe(false);

    expect((await get(httpsServer, "/settings", cookieOf(answer))).status).toBe(200);
    // The same value under the un-prefixed name (one a sibling subdomain could set) is not read.
    const planted = await get(httpsServer, "/settings", `gatehouse_session=${cookie.value}`);
    expect(planted.status).toBe(302);
    expect(planted.location).toBe("/login?redirectTo=%2Fsettings");

    const logout = await post(httpsServer, "/logout", {}, { cookie: cookieOf(answer), headers: { Origin: HTTPS_ORIGIN } });
    const cleared = parseSetCookie(logout.cookies[0]!);
    expect(cleared.name).toBe("__Host-gatehouse_session");
    expect(cleared.attributes).toEqual(expect.arrayContaining(["secure", "max-age=0", "path=/"]));
  });
});

describe("POST /logout", () => {
  it("refuses a request with neither Origin nor Sec-Fetch-Site (CSRF), and the session lives on", async () => {
    const cookie = await signedIn(await newUser("csrf"));
    const answer = await send(server, "/logout", { method: "POST", cookie, headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "" });
    expect(answer.status).toBe(403);
    expect(answer.cookies).toEqual([]);
    expect((await get(server, "/settings", cookie)).status).toBe(200);
  });

  it("ends the session for a same-origin request; the old cookie then leads to the login page", async () => {
    const user = await newUser("logout");
    const cookie = await signedIn(user);
    const answer = await post(server, "/logout", {}, { cookie });
    expect(answer.status).toBe(302);
    expect(answer.location).toBe("/");
    const cleared = parseSetCookie(answer.cookies[0]!);
    expect(cleared).toMatchObject({ name: "gatehouse_session", value: "" });
    expect(cleared.attributes).toContain("max-age=0");
    expect(await db.selectFrom("session").select("id").where("user_id", "=", user.id).execute()).toEqual([]);

    // Replaying the cookie (a copy kept by an attacker, say) gets nothing.
    const replay = await get(server, "/settings", cookie);
    expect(replay.status).toBe(302);
    expect(replay.location).toBe("/login?redirectTo=%2Fsettings");
  });
});

describe("POST /login", () => {
  const OFF_SITE = ["//evil.test", "/\\evil.test", "https://evil.test", "/%2F%2Fevil.test", "/%5Cevil.test", "/\t/evil.test", "/.//evil.test"];

  it("never sends a verified user off-site, whatever redirectTo says", async () => {
    const user = await newUser("redirect");
    for (const redirectTo of OFF_SITE.slice(0, 4)) {
      const answer = await logIn(user, { redirectTo });
      expect(answer.status, redirectTo).toBe(302);
      expect(answer.location, redirectTo).toBe("/home");
    }
    // A path of our own is honoured, so the fallback above is a decision, not the only answer.
    const own = await logIn(user, { redirectTo: "/settings/sessions" });
    expect(own.location).toBe("/settings/sessions");

    // Already signed in, the login page's loader applies the same rule.
    for (const redirectTo of OFF_SITE) {
      const answer = await get(server, `/login?redirectTo=${encodeURIComponent(redirectTo)}`, cookieOf(own));
      expect(answer.status, redirectTo).toBe(302);
      expect(answer.location, redirectTo).toBe("/home");
    }
  });

  it("sends an unverified user to /verify-email, whatever redirectTo says", async () => {
    const user = await newUser("unverified", { verified: false });
    for (const redirectTo of ["//evil.test", "/\\evil.test", "https://evil.test", "/%2F%2Fevil.test"]) {
      const answer = await logIn(user, { redirectTo });
      expect(answer.location, redirectTo).toBe("/verify-email");
    }
  });

  it("answers a wrong password and an unknown address with the same status and page", async () => {
    const user = await newUser("enumeration");
    const unknown = uniqueEmail("nobody");
    const wrongPassword = await post(server, "/login", { email: user.email, password: "not the password at all" });
    const unknownEmail = await post(server, "/login", { email: unknown, password: "not the password at all" });

    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(wrongPassword.status);
    expect(visibleText(wrongPassword.body)).toContain("The email address or password is not right.");
    // The page keeps what was typed in the email field; apart from that and
    // the per-response CSP nonce, the two pages are the same bytes.
    const normalize = (body: string, email: string) => body.replaceAll(email, "EMAIL").replace(/nonce="[^"]*"/g, 'nonce=""');
    expect(normalize(unknownEmail.body, unknown)).toBe(normalize(wrongPassword.body, user.email));
    expect(wrongPassword.cookies).toEqual([]);
    expect(unknownEmail.cookies).toEqual([]);
  });

  it("answers the 11th attempt on one account with 429 and Retry-After, even with the right password", async () => {
    const user = await newUser("throttle");
    for (let attempt = 1; attempt <= 10; attempt++) {
      const answer = await post(server, "/login", { email: user.email, password: `wrong guess ${attempt}` });
      expect(answer.status, `attempt ${attempt}`).toBe(401);
    }
    const answer = await logIn(user);
    expect(answer.status).toBe(429);
    const retryAfter = answer.headers.get("retry-after");
    expect(retryAfter, "the 429 says, in seconds, when to try again").toMatch(/^[1-9]\d*$/);
    expect(Number(retryAfter)).toBeLessThanOrEqual(15 * 60);
    expect(visibleText(answer.body)).toContain("Too many login attempts. Please wait a few minutes and try again.");
    expect(answer.cookies).toEqual([]);
  });
});

describe("form validation", () => {
  it("answers 400 with a clear message, never 500, to a form with a field the action does not accept", async () => {
    const user = await newUser("extra-field");
    const cookie = await signedIn(user);
    const cases: Array<[string, Record<string, string>, string | undefined]> = [
      ["/login", { email: user.email, password: user.password, isOperator: "true" }, undefined],
      ["/signup", { email: uniqueEmail("extra"), password: "a long enough passphrase", is_operator: "true" }, undefined],
      ["/forgot-password", { email: user.email, redirect: "https://evil.test" }, undefined],
      ["/settings?intent=name", { intent: "name", name: "Ada", email_verified_at: "now" }, cookie],
    ];
    for (const [path, fields, sessionCookie] of cases) {
      const answer = await post(server, path, fields, { cookie: sessionCookie });
      const extra = Object.keys(fields).at(-1)!;
      expect(answer.status, path).toBe(400);
      expect(visibleText(answer.body), path).toContain(`Unexpected field "${extra}".`);
      expect(answer.cookies, path).toEqual([]);
    }
    // Nothing was stored on the way: the name is unchanged, no one became an operator.
    const row = await db.selectFrom("user").select(["name", "is_operator"]).where("id", "=", user.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: "Ada", is_operator: false });
  });

  it("answers 400 with the field's message when a field is missing", async () => {
    const user = await newUser("missing-field");
    const cases: Array<[string, Record<string, string>, string]> = [
      ["/login", { email: user.email }, "Enter your password."],
      ["/login", { password: user.password }, "Enter your email address."],
      ["/signup", { email: uniqueEmail("missing") }, "Choose a password."],
      ["/forgot-password", {}, "Enter an email address."],
    ];
    for (const [path, fields, message] of cases) {
      const answer = await post(server, path, fields);
      expect(answer.status, `${path} ${message}`).toBe(400);
      expect(visibleText(answer.body), path).toContain(message);
    }
  });
});

describe("email through Resend", () => {
  it("signs up, delivers the code by email, and the code confirms the address", async () => {
    const email = uniqueEmail("signup");
    const password = "a passphrase for the signup test";
    const signup = await post(server, "/signup", { email, password, name: "Ada" });
    expect(signup.status).toBe(200);
    expect(visibleText(signup.body)).toContain("Check your email");

    const message = await waitForEmail(email, /verification code$/);
    expect(message.to).toEqual([`"Ada" <${email}>`]);
    const code = /^\s*(\d{8})\s*$/m.exec(message.text)![1]!;

    const login = await post(server, "/login", { email, password });
    expect(login.location).toBe("/verify-email");
    const verify = await post(server, "/verify-email", { intent: "code", code }, { cookie: cookieOf(login) });
    expect(verify.status).toBe(302);
    expect(verify.location).toBe("/home");
    expect((await get(server, "/settings", cookieOf(login))).status).toBe(200);
  });
});

describe("/reset-password/:token", () => {
  /** Asks for a reset link for `user` and returns its path, read from the email. */
  async function resetLinkPath(user: TestUser): Promise<string> {
    const request = await post(server, "/forgot-password", { email: user.email });
    expect(request.status).toBe(200);
    const message = await waitForEmail(user.email, /^Reset your .* password$/);
    return new URL(/href="([^"]*\/reset-password\/[^"]+)"/.exec(message.html)![1]!).pathname;
  }

  it("is served with Referrer-Policy: no-referrer, for a live link and a dead one", async () => {
    const path = await resetLinkPath(await newUser("reset"));

    const live = await get(server, path);
    expect(live.status).toBe(200);
    expect(visibleText(live.body)).toContain("Choose a new password");
    expect(live.headers.get("referrer-policy")).toBe("no-referrer");
    expect(live.headers.get("cache-control")).toBe("no-store");

    const dead = await get(server, "/reset-password/not-a-real-token");
    expect(dead.status).toBe(410);
    expect(dead.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("takes the new password from the form without JavaScript, which a no-referrer page posts with Origin: null", async () => {
    const user = await newUser("reset-no-js");
    const path = await resetLinkPath(user);
    // What Chromium and Firefox send for a form on a page whose policy is no-referrer.
    const answer = await post(server, path, { password: "a brand new passphrase" }, { headers: { "Sec-Fetch-Site": "same-origin", Origin: "null" } });
    expect(answer.status, visibleText(answer.body).slice(0, 300)).toBe(302);
    expect(answer.location).toBe("/login?notice=password-reset");
    expect((await logIn({ ...user, password: "a brand new passphrase" })).status).toBe(302);
  });
});

describe("who may open which page", () => {
  it("sends anonymous visitors of protected pages to log in, and back afterwards", async () => {
    for (const path of ["/settings", "/settings/sessions", "/admin", "/admin/emails"]) {
      const answer = await get(server, path);
      expect(answer.status, path).toBe(302);
      expect(answer.location, path).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
    }
  });

  it("answers 404 on the operator console to a signed-in customer, and opens it to an operator", async () => {
    const customer = await signedIn(await newUser("customer"));
    for (const path of ["/admin", "/admin/emails"]) {
      const answer = await get(server, path, customer);
      expect(answer.status, path).toBe(404);
      expect(visibleText(answer.body), path).toContain("Page not found");
    }

    const operator = await newUser("operator");
    await db.updateTable("user").set({ is_operator: true }).where("id", "=", operator.id).execute();
    const operatorCookie = await signedIn(operator);
    for (const path of ["/admin", "/admin/emails"]) {
      expect((await get(server, path, operatorCookie)).status, path).toBe(200);
    }
  });
});
