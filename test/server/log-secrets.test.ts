// No secret reaches a log, an email subject or the operator's email log. One
// journey against the production build issues every kind of token the product
// has (waitlist confirmation, signup invitation, email verification link and
// code, password reset, org invitation, API key), follows each of them the way
// a person or a tool does (links, the login redirect that carries an
// invitation, the API), and then looks for every one of them in everything
// the server wrote to stdout and stderr, in the outbox after delivery, and on
// /admin/emails.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createSignupInvitation } from "../../app/.server/accounts/signup-invitations";
import { joinWaitlist } from "../../app/.server/waitlist/join";
import { FakeResend, resendServerEnv, type SentEmail } from "../fakes/resend";
import { createUser, sessionCookieFor } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { eventually, HttpClient } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";
import { newFormToken } from "../../app/.server/form-guards/one-time-form";

const db = connect(workerDatabaseUrl());
const resend = new FakeResend();
let server: ServerProcess;

beforeAll(async () => {
  await truncateAll(db);
  const resendUrl = await resend.start();
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), SIGNUP_MODE: "open", LOG_LEVEL: "debug", ...resendServerEnv(resendUrl, "Gatehouse Tests <no-reply@accounts.test>") });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await Promise.all([resend.stop(), db.destroy()]);
});

const unique = (label: string) => `${label}-${randomBytes(4).toString("hex")}@logs.test`;

/** The latest message to `to` whose subject matches, once the server's worker has delivered it. */
const delivered = (to: string, subject: RegExp): Promise<SentEmail> =>
  eventually(() => resend.messages(to).filter((email) => subject.test(email.subject)).at(-1), 20_000, `an email to ${to} like ${subject}`);

/** The token at the end of a link to `path` in a message's text. */
function tokenAfter(email: SentEmail, path: string): string {
  const token = new RegExp(`${path.replace(/[?]/g, "\\?")}([A-Za-z0-9_-]+)`).exec(email.text)?.[1];
  if (!token) throw new Error(`no ${path} link in "${email.subject}"`);
  return token;
}

it("no token of any kind appears in the logs, the outbox after delivery, or the operator's email log", async () => {
  const secrets: Record<string, string> = {};
  const browser = new HttpClient(server.url);

  // Waitlist double opt-in: the confirmation link.
  const early = unique("early");
  await joinWaitlist(db, { email: early, name: "Early Bird", company: null }, { ip: "127.0.0.1", userAgent: null });
  secrets.waitlistConfirm = tokenAfter(await delivered(early, /waitlist/i), "/waitlist/confirm/");
  expect((await browser.get(`/waitlist/confirm/${secrets.waitlistConfirm}`)).status).toBeLessThan(500);

  // A signup invitation, followed as a link and used to sign up.
  const invited = unique("invited");
  await createSignupInvitation(db, invited, "operator");
  secrets.signupInvitation = tokenAfter(await delivered(invited, /invited/i), "/signup?invitation=");
  expect((await browser.get(`/signup?invitation=${secrets.signupInvitation}`)).status).toBe(200);
  const signedUp = await browser.post(`/signup?invitation=${secrets.signupInvitation}`, { email: invited, password: "a passphrase for the log test", name: "", invitation: secrets.signupInvitation });
  expect(signedUp.status).toBeLessThan(500);

  // An open signup: the verification email's link and code.
  const ada = unique("ada");
  const adaBrowser = new HttpClient(server.url);
  expect((await adaBrowser.post("/signup", { email: ada, password: "another passphrase for logs", name: "Ada" })).status).toBeLessThan(400);
  const verification = await delivered(ada, /verification code/);
  secrets.verificationCode = /^\s*(\d{8})\s*$/m.exec(verification.text)![1]!;
  secrets.verificationLink = tokenAfter(verification, "/verify-email?token=");
  expect(verification.subject).not.toContain(secrets.verificationCode);
  expect((await adaBrowser.get(`/verify-email?token=${secrets.verificationLink}`)).status).toBeLessThan(500);
  await adaBrowser.post("/verify-email", { intent: "link", token: secrets.verificationLink });

  // A password reset link, opened and used.
  await browser.post("/forgot-password", { email: ada });
  secrets.passwordReset = tokenAfter(await delivered(ada, /reset/i), "/reset-password/");
  expect((await browser.get(`/reset-password/${secrets.passwordReset}`)).status).toBe(200);
  expect((await browser.post(`/reset-password/${secrets.passwordReset}`, { password: "a brand new passphrase for logs" })).status).toBeLessThan(500);

  // An org invitation, sent through the pages, opened signed out (which
  // redirects to the login with the invitation in redirectTo), then accepted.
  const owner = await createUser(db, { email: unique("owner"), name: "Owner" });
  const ownerCookie = await sessionCookieFor(db, owner);
  const ownerBrowser = new HttpClient(server.url, { Cookie: ownerCookie });
  expect((await ownerBrowser.post("/orgs/new", { name: "Log Test", slug: "log-test", formToken: newFormToken() })).status).toBe(302);
  const invitee = await createUser(db, { email: unique("invitee"), password: "the invitee passphrase" });
  expect((await ownerBrowser.post("/orgs/log-test/invitations?intent=invite", { intent: "invite", email: invitee.email, role: "member", formToken: newFormToken() })).status).toBeLessThan(400);
  secrets.orgInvitation = tokenAfter(await delivered(invitee.email, /Join/), "/invite/");
  const inviteeBrowser = new HttpClient(server.url);
  const toLogin = await inviteeBrowser.get(`/invite/${secrets.orgInvitation}`);
  const loginPath = toLogin.headers.get("location") ?? `/login?redirectTo=${encodeURIComponent(`/invite/${secrets.orgInvitation}`)}`;
  expect(loginPath).toContain(encodeURIComponent(`/invite/${secrets.orgInvitation}`));
  await inviteeBrowser.get(loginPath);
  await inviteeBrowser.post(loginPath, { email: invitee.email, password: invitee.password, redirectTo: `/invite/${secrets.orgInvitation}` });
  await inviteeBrowser.post(`/invite/${secrets.orgInvitation}?intent=accept`, { intent: "accept" });

  // An API key, shown once, then used as it should be and as it should not (in a URL).
  const created = await (await ownerBrowser.post("/orgs/log-test/api-keys?intent=create", { intent: "create", name: "ci", formToken: newFormToken() })).text();
  secrets.apiKey = /\b(gk_[A-Za-z0-9_-]+)/.exec(created)![1]!;
  expect((await fetch(`${server.url}/api/v1/org`, { headers: { Authorization: `Bearer ${secrets.apiKey}` } })).status).toBe(200);
  await fetch(`${server.url}/api/v1/org?api_key=${secrets.apiKey}`);
  await fetch(`${server.url}/api/v1/org/${secrets.apiKey}`);

  // Every message has gone out; then the operator opens the email log.
  await eventually(async () => {
    const { rows } = await sql<{ n: string }>`select count(*) as n from outbox_email where status <> 'sent'`.execute(db);
    return Number(rows[0]!.n) === 0 ? true : undefined;
  }, 20_000, "every message sent");
  const operator = await createUser(db, { email: unique("operator") });
  await db.updateTable("user").set({ is_operator: true }).where("id", "=", operator.id).execute();
  const emailLog = await (await new HttpClient(server.url, { Cookie: await sessionCookieFor(db, operator) }).get("/admin/emails")).text();
  expect(emailLog).toContain("verify-email");

  const logs = JSON.stringify(server.logs) + server.stderr();
  const { rows: outbox } = await sql<{ row: string }>`select outbox_email::text as row from outbox_email`.execute(db);
  expect(Object.keys(secrets)).toHaveLength(7);
  for (const [kind, secret] of Object.entries(secrets)) {
    expect(secret.length, kind).toBeGreaterThanOrEqual(8);
    expect(logs.includes(secret), `${kind} in the server's log`).toBe(false);
    expect(outbox.filter((r) => r.row.includes(secret)).length, `${kind} in the outbox after delivery`).toBe(0);
    expect(emailLog.includes(secret), `${kind} on /admin/emails`).toBe(false);
  }
  // The login redirect that carried the invitation was logged, readable, without it.
  expect(server.logs.some((line) => line.msg === "request" && String(line.url).startsWith("/login?redirectTo=/invite/[redacted]"))).toBe(true);
}, 120_000);
