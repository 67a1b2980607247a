// Accounts for the e2e specs. Each test signs up its own address (both projects
// and both workers run at once, so nothing is shared) and reads the mail the
// server sent it back from the fake Resend API.
import { randomBytes } from "node:crypto";
import type { Locator, Page } from "@playwright/test";
import type { SentEmail } from "../../fakes/resend";
import { expect, test } from "./fixtures";
import { E2E_ORIGIN, E2E_RESEND_URL } from "./instance";

export type Account = { email: string; password: string; name: string };

/** User-Agents whose device labels the sessions page is expected to show. */
export const USER_AGENTS = {
  chromeOnLinux: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
  firefoxOnWindows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:143.0) Gecko/20100101 Firefox/143.0",
} as const;

const random = (bytes: number) => randomBytes(bytes).toString("hex");

/**
 * A fresh account nobody else in the run uses: the project name and a random
 * suffix keep parallel tests apart. (A worker-scoped fixture passes its
 * project's name, as it runs outside any one test.)
 */
export function newAccount(label: string, name = "Ada Lovelace", project: string = test.info().project.name): Account {
  return {
    email: `${label}-${project}-${random(5)}@e2e.example`,
    password: `e2e ${random(6)} passphrase`,
    name,
  };
}

const heading = (page: Page) => page.getByRole("heading", { level: 1 });

/** Fills and sends the signup form; the server answers "Check your email". */
export async function signUp(page: Page, account: Account): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Email", { exact: true }).fill(account.email);
  await page.getByLabel("Name (optional)").fill(account.name);
  await page.getByLabel("Password", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(heading(page)).toHaveText("Check your email");
  await expect(page.getByRole("main")).toContainText(account.email);
}

/** Fills and sends the login form on the page already open (or on /login). */
export async function submitLogin(page: Page, email: string, password: string, options: { open?: boolean } = { open: true }): Promise<void> {
  if (options.open !== false) await page.goto("/login");
  await expect(heading(page)).toHaveText("Log in");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("main").getByRole("button", { name: "Log in" }).click();
}

/** Logs in and waits for the home page. */
export async function logIn(page: Page, account: Account): Promise<void> {
  await submitLogin(page, account.email, account.password);
  await expectHome(page);
}

/** The home page a signed-in person lands on. */
export async function expectHome(page: Page): Promise<void> {
  await expect(page).toHaveURL(`${E2E_ORIGIN}/home`);
  await expect(heading(page)).toHaveText(/^Welcome/);
}

/** Types the 8-digit code on /verify-email and lands on the home page. */
export async function enterVerificationCode(page: Page, code: string): Promise<void> {
  await expect(heading(page)).toHaveText("Confirm your email address");
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  await expectHome(page);
}

/** The open confirmation: the dialog (with JavaScript) or the step on the page (without). */
export function confirmationStep(page: Page): Locator {
  return page.locator("dialog[open], .confirm-step");
}

/**
 * Runs a destructive action through its confirmation: with JavaScript the
 * trigger is a button that opens a dialog, without it a link to the
 * confirmation step; either way the step's button confirms.
 */
export async function confirmAction(page: Page, trigger: { name: string | RegExp; within?: Locator }, confirmLabel: string, typed?: string): Promise<void> {
  const scope = trigger.within ?? page.getByRole("main");
  await scope.getByRole("button", { name: trigger.name }).or(scope.getByRole("link", { name: trigger.name })).click();
  const step = confirmationStep(page);
  await expect(step).toBeVisible();
  if (typed !== undefined) await step.getByRole("textbox").fill(typed);
  await step.getByRole("button", { name: confirmLabel }).click();
}

/** Signs up, logs in and confirms the address with the emailed code: a verified account, signed in on `page`. */
export async function createVerifiedAccount(page: Page, label: string, name?: string, project?: string): Promise<Account> {
  const account = newAccount(label, name, project);
  await signUp(page, account);
  const code = verificationCode(await waitForEmail(account.email, /verification code/));
  // The browser that signed up is signed in, only to confirm the address.
  await page.goto("/verify-email");
  await enterVerificationCode(page, code);
  return account;
}

/** Every message the fake Resend API has received for `to`, oldest first. */
export async function emailsTo(to: string): Promise<SentEmail[]> {
  const response = await fetch(`${E2E_RESEND_URL}/__test/emails?to=${encodeURIComponent(to)}`);
  if (!response.ok) throw new Error(`the fake Resend API answered ${response.status}`);
  return ((await response.json()) as { emails: SentEmail[] }).emails;
}

/**
 * Waits for a message to `to` whose subject matches, and returns the newest.
 * The server's delivery worker polls its outbox every second, so this takes a
 * moment; on a busy machine, several.
 */
export async function waitForEmail(to: string, subject: RegExp, options: { count?: number; timeoutMs?: number } = {}): Promise<SentEmail> {
  const { count = 1, timeoutMs = 30_000 } = options;
  const deadline = Date.now() + timeoutMs;
  let seen: SentEmail[] = [];
  while (Date.now() < deadline) {
    seen = await emailsTo(to);
    const matching = seen.filter((email) => subject.test(email.subject));
    if (matching.length >= count) return matching.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no email to ${to} with a subject like ${subject} within ${timeoutMs} ms; received: ${JSON.stringify(seen.map((email) => email.subject))}`);
}

/** The 8-digit code of a verification email (on a line of its own in the body; never in the subject). */
export function verificationCode(email: SentEmail): string {
  const code = /^\s*(\d{8})\s*$/m.exec(email.text ?? "")?.[1];
  if (!code) throw new Error(`no code in the body of "${email.subject}"`);
  expect(email.subject, "no secret in a subject").not.toContain(code);
  return code;
}

/** The link in the message's HTML that starts with `path` on the e2e origin. */
export function linkIn(email: SentEmail, path: string): string {
  const prefix = `${E2E_ORIGIN}${path}`;
  const links = [...email.html.matchAll(/href="([^"]*)"/g)].map((match) => match[1]!.replaceAll("&amp;", "&"));
  const link = links.find((href) => href.startsWith(prefix));
  if (!link) throw new Error(`no link starting ${prefix} in "${email.subject}"; links: ${JSON.stringify(links)}`);
  return link;
}

/** Opens the header's account menu (a <details>, so this works without JavaScript too). */
export async function openAccountMenu(page: Page): Promise<Locator> {
  const menu = page.getByRole("banner").locator("details.account-menu");
  if ((await menu.getAttribute("open")) === null) await menu.locator("summary").click();
  return menu;
}

/**
 * Signs out from the account menu and waits until the browser is really
 * signed out: on the landing page (where /logout sends everyone), with the
 * header offering "Log in" and no account menu. Waiting only for the page
 * before to go away is not enough: the next step could start while the
 * sign-out request is still on its way, and find the session alive.
 */
export async function signOut(page: Page): Promise<void> {
  const menu = await openAccountMenu(page);
  await menu.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/`);
  const banner = page.getByRole("banner");
  await expect(banner.getByRole("link", { name: "Log in" })).toBeVisible();
  await expect(banner.locator("details.account-menu")).toHaveCount(0);
}
