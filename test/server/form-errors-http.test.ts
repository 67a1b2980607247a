// Every form, sent with every field wrong at once (no JavaScript, against the
// production build): the page comes back 400 with one plain message under each
// field, none hidden behind another, and no schema or library wording.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestOrg } from "../factories/orgs";
import { createUser, latestLinkToken, sessionCookieFor } from "../factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../setup/databases";
import { waitlistFormStamp } from "../setup/http-client";
import { startServer, type ServerProcess } from "../setup/server-process";
import { processDeferredAccountWork } from "../../app/.server/accounts/deferred-work-worker";
import { newFormToken } from "../../app/.server/form-guards/one-time-form";

const db = connect(workerDatabaseUrl());
let server: ServerProcess;

beforeAll(async () => {
  await truncateAll(db);
  server = await startServer({ DATABASE_URL: workerDatabaseUrl(), SIGNUP_MODE: "open", WAITLIST_MIN_FILL_MS: "0", TRUST_PROXY: "loopback" });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await db.destroy();
});

const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString("hex")}@forms.test`;
let nextHost = 0;

async function post(path: string, fields: Record<string, string>, cookie?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "Sec-Fetch-Site": "same-origin",
      // Each form from its own address: no per-IP limit answers instead of the form.
      "X-Forwarded-For": `10.88.0.${++nextHost}`,
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
  return { status: response.status, html: await response.text() };
}

const decode = (text: string) =>
  text.replace(/<!-- -->/g, "").replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** The message under each field: the element its input's aria-describedby names. */
function fieldErrors(html: string): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [, field, text] of html.matchAll(/id="field-([\w-]+)-error"[^>]*>(.*?)<\/p>/gs)) (found[field!] ??= []).push(decode(text!));
  return found;
}

// The alert's text, without its icon and wrapping markup.
const formAlert = (html: string) => /role="alert"[^>]*>(.*?)<\/div>/s.exec(html)?.[1]?.replace(/<svg.*?<\/svg>/s, "").replace(/<[^>]+>/g, "");

// What zod, or any validation library, says to developers.
const LIBRARY_WORDING = /expected|received|too (big|small)|invalid (input|option|type|uuid|string)|[<>]=|nan\b|undefined|zod/i;

async function expectOneMessagePerField(answer: { status: number; html: string }, expected: Record<string, string>) {
  expect(answer.status, answer.html.slice(0, 300)).toBe(400);
  const shown = fieldErrors(answer.html);
  expect(shown).toEqual(Object.fromEntries(Object.entries(expected).map(([field, message]) => [field, [message]])));
  for (const message of Object.values(shown).flat()) expect(message).not.toMatch(LIBRARY_WORDING);
  const alert = formAlert(answer.html);
  if (alert) expect(decode(alert)).not.toMatch(LIBRARY_WORDING);
}

describe("forms anyone can send", () => {
  it("the waitlist: email, name and company at once, with the real limits", async () => {
    const answer = await post("/waitlist", {
      startedAt: await waitlistFormStamp(server.url),
      website: "",
      email: "not-an-email",
      name: "N".repeat(101),
      // Longer than the quick bound, too: the message still names the field's own limit.
      company: "C".repeat(900),
    });
    await expectOneMessagePerField(answer, {
      email: "Enter a valid email address, like name@example.com.",
      name: "Name must be at most 100 characters.",
      company: "Company must be at most 200 characters.",
    });
    // What was typed stays, for the person to shorten: nothing was cut.
    expect(answer.html).toContain(`value="${"C".repeat(900)}"`);
  });

  it("signup: an invalid email does not hide a too-short password", async () => {
    const answer = await post("/signup", { email: "not-an-email", name: "N".repeat(101), password: "short" });
    await expectOneMessagePerField(answer, {
      email: "Enter a valid email address, like name@example.com.",
      name: "Name must be at most 100 characters.",
      password: "Use at least 8 characters.",
    });
  });

  it("login", async () => {
    await expectOneMessagePerField(await post("/login", { email: "", password: "" }), {
      email: "Enter your email address.",
      password: "Enter your password.",
    });
  });

  it("forgot password", async () => {
    await expectOneMessagePerField(await post("/forgot-password", { email: "not-an-email" }), { email: "Enter a valid email address, like name@example.com." });
  });

  it("reset password", async () => {
    const user = await createUser(db, { email: uniqueEmail("reset") });
    expect((await post("/forgot-password", { email: user.email })).status).toBe(200);
    // The reset is made off the response path (equal-cost answers, ADR 0011).
    await processDeferredAccountWork(db);
    const token = await latestLinkToken(db, user.email, "/reset-password/");
    await expectOneMessagePerField(await post(`/reset-password/${token}`, { password: "short" }), { password: "Use at least 8 characters." });
  });

  it("signing up from an org invitation", async () => {
    const owner = await createUser(db, { email: uniqueEmail("owner") });
    const org = await createTestOrg(db, { slug: `invite-${randomBytes(3).toString("hex")}`, owner });
    const invitee = uniqueEmail("invitee");
    expect((await post(`/orgs/${org.slug}/invitations?intent=invite`, { intent: "invite", email: invitee, role: "member", formToken: newFormToken() }, await sessionCookieFor(db, owner))).status).toBe(200);
    const token = await latestLinkToken(db, invitee, "/invite/");
    await expectOneMessagePerField(await post(`/invite/${token}?intent=signup`, { intent: "signup", name: "N".repeat(101), password: "password" }), {
      name: "Name must be at most 100 characters.",
      password: "This password is too common: choose one that is harder to guess.",
    });
  });
});

describe("forms of a signed-in person", () => {
  it("settings: name, password and email", async () => {
    const user = await createUser(db, { email: uniqueEmail("settings") });
    const cookie = await sessionCookieFor(db, user);
    await expectOneMessagePerField(await post("/settings?intent=name", { intent: "name", name: "N".repeat(101) }, cookie), { name: "Name must be at most 100 characters." });
    await expectOneMessagePerField(await post("/settings?intent=password", { intent: "password", currentPassword: "", newPassword: "short" }, cookie), {
      currentPassword: "Enter your current password.",
      newPassword: "Use at least 8 characters.",
    });
    await expectOneMessagePerField(await post("/settings?intent=email", { intent: "email", newEmail: "not-an-email", password: "" }, cookie), {
      newEmail: "Enter a valid email address, like name@example.com.",
      password: "Enter your password to confirm.",
    });
  });

  it("settings: the code for a new email address", async () => {
    const user = await createUser(db, { email: uniqueEmail("new-email") });
    const cookie = await sessionCookieFor(db, user);
    const requested = await post("/settings?intent=email", { intent: "email", newEmail: uniqueEmail("next"), password: user.password }, cookie);
    expect(requested.status, requested.html.slice(0, 300)).toBeLessThan(400);
    await expectOneMessagePerField(await post("/settings?intent=email-code", { intent: "email-code", code: "12" }, cookie), { code: "Enter the 8-digit code from the email." });
  });

  it("confirming the address with the code", async () => {
    const user = await createUser(db, { email: uniqueEmail("unverified"), verified: false });
    await expectOneMessagePerField(await post("/verify-email", { intent: "code", code: "12 34" }, await sessionCookieFor(db, user)), { code: "Enter the 8-digit code from the email." });
  });

  it("deleting the account", async () => {
    const user = await createUser(db, { email: uniqueEmail("delete") });
    await expectOneMessagePerField(await post("/settings/delete-account?intent=delete", { intent: "delete", password: "", confirmation: "keep it" }, await sessionCookieFor(db, user)), {
      password: "Enter your password to confirm it is you.",
      confirmation: "Type “delete my account” to confirm.",
    });
  });

  it("creating an org", async () => {
    const user = await createUser(db, { email: uniqueEmail("new-org") });
    await expectOneMessagePerField(await post("/orgs/new", { name: "", slug: "!!" }, await sessionCookieFor(db, user)), {
      name: "Name is required.",
      slug: "Use 3 to 40 characters.",
    });
  });

  it("inviting to an org and creating an API key", async () => {
    const owner = await createUser(db, { email: uniqueEmail("org-owner") });
    const org = await createTestOrg(db, { slug: `forms-${randomBytes(3).toString("hex")}`, owner });
    const cookie = await sessionCookieFor(db, owner);
    await expectOneMessagePerField(await post(`/orgs/${org.slug}/invitations?intent=invite`, { intent: "invite", email: "not-an-email", role: "king" }, cookie), {
      email: "Enter a valid email address, like name@example.com.",
      role: "Choose a role.",
    });
    await expectOneMessagePerField(await post(`/orgs/${org.slug}/api-keys?intent=create`, { intent: "create", name: "N".repeat(101) }, cookie), { name: "Name must be at most 100 characters." });
  });

  it("publishing a notice (operators)", async () => {
    const operator = await createUser(db, { email: uniqueEmail("operator") });
    await db.updateTable("user").set({ is_operator: true }).where("id", "=", operator.id).execute();
    await expectOneMessagePerField(await post("/admin/notices", { title: "", body: "", link: "x".repeat(2100) }, await sessionCookieFor(db, operator)), {
      title: "Title is required.",
      body: "Body is required.",
      link: "Link must be at most 500 characters.",
    });
  });
});

describe("a field the page does not show", () => {
  it("comes back as the form's message, in plain words", async () => {
    const user = await createUser(db, { email: uniqueEmail("hidden") });
    const answer = await post("/settings?intent=name", { intent: "rename-everything", name: "Ada" }, await sessionCookieFor(db, user));
    expect(answer.status).toBe(400);
    expect(decode(formAlert(answer.html) ?? "")).toBe("This form is out of date. Reload the page and try again.");
  });
});

describe("the inputs", () => {
  it("carry no maxlength, which would cut pasted text without a word", async () => {
    const user = await createUser(db, { email: uniqueEmail("pages") });
    const cookie = await sessionCookieFor(db, user);
    for (const path of ["/", "/waitlist", "/signup", "/login", "/forgot-password", "/settings", "/settings/delete-account", "/orgs/new"]) {
      const page = await fetch(`${server.url}${path}`, { headers: path.startsWith("/settings") || path.startsWith("/orgs") ? { Cookie: cookie } : {} });
      expect(page.status, path).toBe(200);
      const html = await page.text();
      expect(html, path).toContain("<input");
      expect(html, path).not.toMatch(/maxlength=/i);
    }
  });
});
