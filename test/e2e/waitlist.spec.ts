// Joining the waitlist from the landing page, and confirming the place from the
// emailed link. With JavaScript the form answers in place; without, it posts to
// /waitlist, which answers with a page of its own. The server asks for a second
// press when a form comes sooner after it was rendered than a person usually
// fills it in, so the specs wait that long before sending.
import { setTimeout as sleep } from "node:timers/promises";
import type { Locator, Page } from "@playwright/test";
import { emailsTo, linkIn, newAccount, waitForEmail } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, test } from "./support/fixtures";
import { E2E_ORIGIN, E2E_SETTINGS, E2E_WAITLIST_MIN_FILL_MS } from "./support/instance";
import { escapeRegExp } from "./support/page-checks";

const THANKS = "Thanks! Check your inbox: we sent you a link to confirm your place. (If you already joined, you are still on the list.)";
const CONFIRMATION_SUBJECT = new RegExp(`^Confirm your place on the ${E2E_SETTINGS.PRODUCT_NAME} waitlist$`);
// A refused form answers 400: the /waitlist document without JavaScript, the fetcher's .data request with it.
const WAITLIST_ANSWER = /\/waitlist(\.data)?(\?.*)?$/;

type SameDocumentWindow = Window & { __sameDocument?: string };

/** The waitlist form's section, on the landing page and on /waitlist alike. */
const waitlist = (page: Page) => page.getByRole("region", { name: "Join the waitlist" });

async function fillIn(form: Locator, fields: { email: string; name?: string; company?: string }): Promise<void> {
  await form.getByLabel("Email", { exact: true }).fill(fields.email);
  if (fields.name !== undefined) await form.getByLabel("Name (optional)").fill(fields.name);
  if (fields.company !== undefined) await form.getByLabel("Company (optional)").fill(fields.company);
}

/** How long ago the server rendered the form (its signed stamp starts with the time, in ms). */
async function formAgeMs(form: Locator): Promise<number> {
  const stamp = await form.locator('input[name="startedAt"]').inputValue();
  const renderedAt = Number(stamp.split(".")[0]);
  expect(Number.isSafeInteger(renderedAt), `a form stamp "${stamp}"`).toBe(true);
  return Date.now() - renderedAt;
}

/**
 * Sends the form once it is older than the minimum fill time. The stamp is read
 * again after waiting: with JavaScript, a revalidation after a refused form
 * renders a fresh one.
 */
async function sendLikeAPerson(form: Locator): Promise<void> {
  for (;;) {
    const wait = E2E_WAITLIST_MIN_FILL_MS + 300 - (await formAgeMs(form));
    if (wait <= 0) break;
    await sleep(wait);
  }
  await form.getByRole("button", { name: "Join the waitlist" }).click();
}

/** Records the path of every document the page loads: with JavaScript, a form that answers in place loads none. */
function documentLoads(page: Page): string[] {
  const paths: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "document" && request.frame() === page.mainFrame()) paths.push(new URL(request.url()).pathname);
  });
  return paths;
}

async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as SameDocumentWindow).__sameDocument = "still the landing page's document";
  });
}

async function expectSameDocument(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as SameDocumentWindow).__sameDocument)).toBe("still the landing page's document");
}

test("joins from the landing page, then confirms the place with the emailed link, once", async ({ page, pageProblems, javaScriptEnabled }) => {
  const person = newAccount("waitlist", "Ada Lovelace");
  const documents = documentLoads(page);
  await openPage(page, pageProblems, "/");
  if (javaScriptEnabled) await markDocument(page);

  await fillIn(waitlist(page), { email: person.email, name: person.name, company: "Analytical Engines Ltd" });
  await sendLikeAPerson(waitlist(page));
  await expect(waitlist(page).getByRole("status")).toHaveText(THANKS);
  if (javaScriptEnabled) {
    // Answered in place: the same document, still on the landing page.
    await expect(page).toHaveURL(`${E2E_ORIGIN}/`);
    await expectSameDocument(page);
    expect(documents).toEqual(["/"]);
  } else {
    await expect(page).toHaveURL(`${E2E_ORIGIN}/waitlist`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Join the waitlist");
    expect(documents).toEqual(["/", "/waitlist"]);
  }
  await expectNoAxeViolations(page);

  const email = await waitForEmail(person.email, CONFIRMATION_SUBJECT);
  expect(email.to).toEqual([`"${person.name}" <${person.email}>`]);
  expect(email.text).toContain(`Hi ${person.name},`);
  const link = linkIn(email, "/waitlist/confirm/");

  // Opening the link confirms nothing by itself (mail scanners open links too).
  const response = await openPage(page, pageProblems, link);
  expect(response.headers()["referrer-policy"]?.split(/[,\n]/).at(-1)?.trim()).toBe("no-referrer");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your place on the waitlist");
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Confirm my place" }).click();
  await expect(page.getByRole("status")).toHaveText("You are confirmed. We will email you when your invitation is ready.");
  await expect(page.getByRole("button", { name: "Confirm my place" })).toHaveCount(0);
  await expectNoAxeViolations(page);

  // The link works once.
  pageProblems.allowStatus(new RegExp(`^${escapeRegExp(link)}(\\.data)?(\\?.*)?$`), 410);
  await openPage(page, pageProblems, link);
  await page.getByRole("button", { name: "Confirm my place" }).click();
  await expect(page.getByRole("alert")).toHaveText("This link has expired or was already used.");
});

test("shows what is wrong with a bad email next to it, keeps what was typed, and joins once it is fixed", async ({ page, pageProblems, javaScriptEnabled }) => {
  const person = newAccount("waitlist-typo", "Grace Hopper");
  pageProblems.allowStatus(WAITLIST_ANSWER, 400);
  await openPage(page, pageProblems, "/");
  if (javaScriptEnabled) await markDocument(page);

  const typo = person.email.replace("@", "@@");
  await fillIn(waitlist(page), { email: typo, name: person.name, company: "Harvard Mark I" });
  await sendLikeAPerson(waitlist(page));

  const emailField = waitlist(page).getByLabel("Email", { exact: true });
  await expect(emailField).toHaveAccessibleDescription("Enter a valid email address, like name@example.com.");
  await expect(emailField).toHaveAttribute("aria-invalid", "true");
  await expect(emailField).toHaveValue(typo);
  await expect(waitlist(page).getByLabel("Name (optional)")).toHaveValue(person.name);
  await expect(waitlist(page).getByLabel("Company (optional)")).toHaveValue("Harvard Mark I");
  if (javaScriptEnabled) {
    await expect(page).toHaveURL(`${E2E_ORIGIN}/`);
    await expectSameDocument(page);
  } else {
    await expect(page).toHaveURL(`${E2E_ORIGIN}/waitlist`);
  }
  await expectNoAxeViolations(page);

  await emailField.fill(person.email);
  await sendLikeAPerson(waitlist(page));
  await expect(waitlist(page).getByRole("status")).toHaveText(THANKS);
  if (javaScriptEnabled) await expectSameDocument(page);
  const email = await waitForEmail(person.email, CONFIRMATION_SUBJECT);
  expect(email.to).toEqual([`"${person.name}" <${person.email}>`]);
});

test("asks a person who sent the form very fast to press again, keeping what they typed", async ({ page, pageProblems }) => {
  const person = newAccount("waitlist-fast", "Ada Lovelace");
  pageProblems.allowStatus(WAITLIST_ANSWER, 400);
  // The premise: the form goes while it is younger than the minimum fill time
  // (a password manager filled it, and a quick click). On a busy machine the
  // page alone can take most of that to arrive; such a try is not sent, and the
  // next one starts from a freshly rendered form.
  let sentFast = false;
  for (let attempt = 1; attempt <= 10 && !sentFast; attempt++) {
    await openPage(page, pageProblems, "/");
    await fillIn(waitlist(page), { email: person.email, name: person.name, company: "Engines" });
    if ((await formAgeMs(waitlist(page))) < E2E_WAITLIST_MIN_FILL_MS - 500) {
      await waitlist(page).getByRole("button", { name: "Join the waitlist" }).click();
      sentFast = true;
    }
  }
  expect(sentFast, "a form sent well within the minimum fill time, in 10 tries").toBe(true);
  // Not a silent "thanks": the person is told, and their input is still there.
  await expect(waitlist(page).getByRole("alert")).toContainText("Please check the form and press “Join the waitlist” again.");
  await expect(waitlist(page).getByLabel("Email", { exact: true })).toHaveValue(person.email);
  await expect(waitlist(page).getByLabel("Name (optional)")).toHaveValue(person.name);
  await expect(waitlist(page).getByLabel("Company (optional)")).toHaveValue("Engines");
  await expectNoAxeViolations(page);

  await sendLikeAPerson(waitlist(page));
  await expect(waitlist(page).getByRole("status")).toHaveText(THANKS);
  const email = await waitForEmail(person.email, CONFIRMATION_SUBJECT);
  expect(email.to).toEqual([`"${person.name}" <${person.email}>`]);
  expect(await emailsTo(person.email)).toHaveLength(1);
});
