// /orgs/:slug/security as an owner walks it, with JavaScript on and off and on
// a 390 px phone: the rules and who does not comply yet, session limits saved,
// an invitation outside the allowed domains refused in words, and a rule the
// owner's own session would not meet refused before it can lock them out.
import type { Page } from "@playwright/test";
import { createVerifiedAccount } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, test } from "./support/fixtures";
import { E2E_ORIGIN } from "./support/instance";
import { createOrg, newOrg } from "./support/orgs";
import { escapeRegExp } from "./support/page-checks";

const heading = (page: Page) => page.getByRole("heading", { level: 1 });

test.describe.configure({ timeout: 180_000 });

test("an owner sets the org's security rules, and each holds", async ({ page, pageProblems }) => {
  const owner = await createVerifiedAccount(page, "security-owner", "Sam Secure");
  const org = newOrg("fortress", test.info().project.name);
  await createOrg(page, org);

  await page.getByRole("navigation", { name: `${org.name} sections` }).getByRole("link", { name: "Security" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs/${org.slug}/security`);
  await expect(heading(page)).toHaveText("Security");
  // The owner has no second factor yet: they are the one member who does not comply.
  const twoFactor = page.getByRole("region", { name: "Require two-factor authentication" });
  await expect(twoFactor.getByRole("table")).toContainText(owner.email);
  await expectNoAxeViolations(page);

  // Session limits.
  await page.getByLabel("Maximum session lifetime (hours)").fill("12");
  await page.getByLabel("Idle timeout (minutes)").fill("60");
  await page.getByRole("button", { name: "Save session limits" }).click();
  await expect(page.getByRole("status")).toContainText("Session limits saved.");
  await expect(page.getByLabel("Idle timeout (minutes)")).toHaveValue("60");

  // A bad value is refused in words, and the field keeps what was typed.
  pageProblems.allowStatus(new RegExp(`/orgs/${escapeRegExp(org.slug)}/security(\\.data)?(\\?.*)?$`), 400);
  await page.getByLabel("Idle timeout (minutes)").fill("2");
  await page.getByRole("button", { name: "Save session limits" }).click();
  await expect(page.getByText("Idle timeout must be between 5 and 43200, or empty for no limit.")).toBeVisible();

  // Allowed invitation domains, then an invitation outside them.
  await page.getByLabel("Allowed email domains").fill("fortress.example");
  await page.getByRole("button", { name: "Save allowed domains" }).click();
  await expect(page.getByRole("status")).toContainText("Allowed invitation domains saved.");
  pageProblems.allowStatus(new RegExp(`/orgs/${escapeRegExp(org.slug)}/invitations(\\.data)?(\\?.*)?$`), 403);
  await openPage(page, pageProblems, `/orgs/${org.slug}/invitations`);
  await page.getByLabel("Email", { exact: true }).fill("someone@elsewhere.example");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText("This organization only takes members with an address at fortress.example.")).toBeVisible();

  // Requiring two-factor while the owner's own session has none is refused, and says why.
  pageProblems.allowStatus(new RegExp(`/orgs/${escapeRegExp(org.slug)}/security(\\.data)?(\\?.*)?$`), 409);
  await openPage(page, pageProblems, `/orgs/${org.slug}/security`);
  await twoFactor.getByLabel("Require two-factor authentication").check();
  await twoFactor.getByLabel("I have reviewed the members above who do not comply yet").check();
  await twoFactor.getByRole("button", { name: "Save two-factor rule" }).click();
  await expect(page.getByText("Your own session would not meet this rule")).toBeVisible();
  await expect(twoFactor.getByText("Off", { exact: true })).toBeVisible();

  // The audit history tells the story in sentences.
  await openPage(page, pageProblems, `/orgs/${org.slug}/audit`);
  const events = page.getByRole("list", { name: "Audit events, newest first" }).getByRole("listitem");
  await expect(events.first()).toContainText("Sam Secure limited invitations to the domains fortress.example");
  await expect(events.nth(1)).toContainText("Sam Secure changed the session limits: lifetime from none to 720 minutes, idle timeout from none to 60 minutes");
});

test("the security page fits a 390 px phone and passes axe there", async ({ page, pageProblems }) => {
  await createVerifiedAccount(page, "security-phone", "Pia Phone");
  const org = newOrg("pocket", test.info().project.name);
  await createOrg(page, org);
  await page.setViewportSize({ width: 390, height: 800 });
  await openPage(page, pageProblems, `/orgs/${org.slug}/security`);
  await expect(heading(page)).toHaveText("Security");
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
  await expectNoAxeViolations(page);
});
