// Leaving: a customer downloads their data and deletes their account, which
// signs them out everywhere and starts a grace period; logging in during it
// offers only to cancel, which gives them their account back. Every step they
// are told by email.
import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { createVerifiedAccount, openAccountMenu, submitLogin, waitForEmail } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, test } from "./support/fixtures";
import { E2E_ORIGIN, E2E_SETTINGS } from "./support/instance";
import { openOrganizations } from "./support/orgs";

const heading = (page: Page) => page.getByRole("heading", { level: 1 });
// Refused confirmations answer 400/403: the document without JavaScript, its .data request with it.
const DELETE_ANSWER = /\/settings\/delete-account(\.data)?\?intent=delete$/;
const DAY_MS = 86_400_000;

test("schedules the deletion with the password and the typed words, and a login during the grace period can cancel it", async ({ page, pageProblems }) => {
  const account = await createVerifiedAccount(page, "delete", "Dana Deleter");
  pageProblems.allowStatus(DELETE_ANSWER, 400);
  pageProblems.allowStatus(DELETE_ANSWER, 403);

  // (The settings page does not link here yet: see the last test of this file.)
  await openPage(page, pageProblems, "/settings/delete-account");
  await expect(heading(page)).toHaveText("Delete your account");
  await expectNoAxeViolations(page);
  const password = page.getByLabel("Your password");
  const confirmation = page.getByLabel("Type “delete my account”");
  const deleteButton = page.getByRole("button", { name: "Delete my account" });

  // The right password alone is not enough: the words must be typed too.
  await password.fill(account.password);
  await confirmation.fill("delete my acount");
  await deleteButton.click();
  await expect(confirmation).toHaveAccessibleDescription("Type “delete my account” to confirm.");
  await expect(confirmation).toHaveValue("delete my acount");

  // A wrong password is refused, and the typed words are kept.
  await page.getByLabel("Your password").fill(`${account.password} typo`);
  await confirmation.fill("delete my account");
  await deleteButton.click();
  await expect(password).toHaveAccessibleDescription("That is not your password.");
  await expect(confirmation).toHaveValue("delete my account");
  await expectNoAxeViolations(page);

  // The right password and the words: signed out, on the landing page.
  await password.fill(account.password);
  await deleteButton.click();
  await expect(page).toHaveURL(new RegExp(`^${E2E_ORIGIN}/(\\?.*)?$`));
  await expect(heading(page)).toHaveText("Your account, your team, your data — in one place.");
  await expect(page.getByRole("banner").getByRole("link", { name: "Log in" })).toBeVisible();
  await page.goto("/settings");
  await expect(page).toHaveURL(`${E2E_ORIGIN}/login?redirectTo=%2Fsettings`);

  const scheduled = await waitForEmail(account.email, new RegExp(`^Your ${E2E_SETTINGS.PRODUCT_NAME} account will be deleted on \\d{4}-\\d{2}-\\d{2}$`));
  const purgeDate = Date.parse(scheduled.subject.slice(-10));
  // The default grace period: 7 days (the date is a day, so up to one day less).
  expect(purgeDate - Date.now()).toBeGreaterThan(6 * DAY_MS - 60_000);
  expect(purgeDate - Date.now()).toBeLessThanOrEqual(7 * DAY_MS);

  // Logging in during the grace period leads to the one thing on offer: cancelling.
  await submitLogin(page, account.email, account.password, { open: false });
  await expect(page).toHaveURL(`${E2E_ORIGIN}/settings/delete-account`);
  await expect(heading(page)).toHaveText("Your account is scheduled for deletion");
  await expect(page.getByRole("main")).toContainText(`On ${scheduled.subject.slice(-10)} we erase your account`);
  await expect(page.getByRole("main").getByRole("button")).toHaveText(["Cancel deletion"]);
  // During the grace period the header offers nothing else: no org switcher, only cancelling.
  await expect(page.getByRole("banner").locator("details.org-switcher")).toHaveCount(0);
  await expect((await openAccountMenu(page)).getByRole("link")).toHaveText(["Cancel deletion"]);
  await expectNoAxeViolations(page);
  for (const elsewhere of ["/settings", "/orgs", "/settings/export"]) {
    await page.goto(elsewhere);
    await expect(page).toHaveURL(`${E2E_ORIGIN}/settings/delete-account`);
  }

  await page.getByRole("main").getByRole("button", { name: "Cancel deletion" }).click();
  // Said on the page, not a silent jump elsewhere.
  await expect(heading(page)).toHaveText("Your account is no longer scheduled for deletion");
  await expect(page.getByRole("main").getByRole("status")).toHaveText("Deletion cancelled. Your account and your data stay as they were.");
  await expectNoAxeViolations(page);
  await page.getByRole("main").getByRole("link", { name: "Go to your settings" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/settings`);
  await expect(heading(page)).toHaveText("Settings");
  await expect(page.getByRole("main")).toContainText(`Your account uses ${account.email}.`);
  await waitForEmail(account.email, new RegExp(`^Your ${E2E_SETTINGS.PRODUCT_NAME} account will not be deleted$`));

  // The account works as before.
  await openOrganizations(page);
  await expect(heading(page)).toHaveText("Your organizations");
  await openPage(page, pageProblems, "/settings/delete-account");
  await expect(heading(page)).toHaveText("Delete your account");
});

test("downloads everything stored about the account as one JSON file", async ({ page, pageProblems }) => {
  const account = await createVerifiedAccount(page, "export", "Evan Export");
  await openPage(page, pageProblems, "/settings/export");
  await expect(heading(page)).toHaveText("Download your data");
  const link = page.getByRole("link", { name: "Download my data (JSON)" });
  await expect(link).toHaveAttribute("href", "/settings/export.json");

  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^gatehouse-export-\d{4}-\d{2}-\d{2}\.json$/);
  const data = JSON.parse(await readFile(await download.path(), "utf8")) as unknown;
  expect(data).toMatchObject({
    format: "gatehouse-export/1",
    profile: { email: account.email, name: account.name, is_operator: false, deletion_requested_at: null },
    memberships: [],
  });
  // The browser saved the file and stayed on the page.
  await expect(page).toHaveURL(`${E2E_ORIGIN}/settings/export`);
});

test("the settings page links to downloading the data and to deleting the account", async ({ page }) => {
  // The privacy page sends people to "Settings → Download your data" and
  // "Settings → Delete Account": both must be one click from /settings.
  await createVerifiedAccount(page, "settings-links");
  await page.goto("/settings");
  const main = page.getByRole("main");
  await expect(main.locator('a[href="/settings/export"]:visible').first(), "a link to Download your data").toBeVisible({ timeout: 2_000 });
  await expect(main.locator('a[href="/settings/delete-account"]:visible').first(), "a link to Delete Account").toBeVisible({ timeout: 2_000 });
});
