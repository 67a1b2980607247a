// The pages issue 15 added, as their users walk them, with JavaScript on and
// off: org settings (rename, a new address whose old links still lead there,
// handing over ownership, leaving, deleting with the name typed), the audit
// history as sentences, what a member reads on an admin page, the operator's
// overview and user page. Each page gets an axe scan.
import type { Page } from "@playwright/test";
import { confirmAction, createVerifiedAccount } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, test } from "./support/fixtures";
import { E2E_ORIGIN } from "./support/instance";
import { addMemberDirectly } from "./support/org-members";
import { createOrg, newOrg } from "./support/orgs";
import { escapeRegExp } from "./support/page-checks";
import { grantOperator } from "./support/server-admin";

const heading = (page: Page) => page.getByRole("heading", { level: 1 });

// Two accounts each (signup, emailed code, argon2id) on a shared 2-core machine.
test.describe.configure({ timeout: 180_000 });

test("an owner renames the org, moves its address (old links follow), reads the history as sentences, and deletes it", async ({ page, pageProblems }) => {
  await createVerifiedAccount(page, "settings-owner", "Olga Owner");
  const org = newOrg("rocket", test.info().project.name);
  await createOrg(page, org);

  await page.getByRole("navigation", { name: `${org.name} sections` }).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs/${org.slug}/settings`);
  await expect(heading(page)).toHaveText("Settings");
  await expectNoAxeViolations(page);

  // Rename.
  const newName = `${org.name} Space`;
  await page.getByLabel("Organization name").fill(newName);
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("status")).toContainText(`The organization is now called ${newName}.`);

  // A taken-looking address is refused in words; a good one moves the org.
  pageProblems.allowStatus(new RegExp(`/orgs/${escapeRegExp(org.slug)}/settings(\\.data)?(\\?.*)?$`), 400);
  await page.getByRole("textbox", { name: "Address", exact: true }).fill("admin");
  await page.getByRole("button", { name: "Change address" }).click();
  await expect(page.getByText("That address is reserved. Choose another.")).toBeVisible();
  const newSlug = `${org.slug}-2`;
  await page.getByRole("textbox", { name: "Address", exact: true }).fill(newSlug);
  await page.getByRole("button", { name: "Change address" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs/${newSlug}/settings?saved=address`);
  await expect(page.getByRole("status")).toContainText(`The address is now /orgs/${newSlug}.`);

  // An old link still leads there.
  await page.goto(`/orgs/${org.slug}/members`);
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs/${newSlug}/members`);

  // The history reads as sentences, with details to open.
  await openPage(page, pageProblems, `/orgs/${newSlug}/audit`);
  await expect(heading(page)).toHaveText("Audit history");
  const events = page.getByRole("list", { name: "Audit events, newest first" }).getByRole("listitem");
  await expect(events.first()).toContainText(`Olga Owner moved the organization to the address ${newSlug} (from ${org.slug})`);
  await expect(events.nth(1)).toContainText(`Olga Owner renamed the organization ${newName} (it was ${org.name})`);
  await expect(events.last()).toContainText("Olga Owner created the organization");
  await events.first().getByText("Details").click();
  await expect(events.first().locator("dd").first()).toHaveText("org.slug_changed");
  await expect(events.first().getByRole("link", { name: "Olga Owner" })).toHaveAttribute("href", `/orgs/${newSlug}/members`);
  await expectNoAxeViolations(page);

  // The filters fit a phone: nothing on the page is wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
  await page.setViewportSize({ width: 1280, height: 800 });

  // Delete: the name must be typed.
  await openPage(page, pageProblems, `/orgs/${newSlug}/settings`);
  await confirmAction(page, { name: "Delete this organization" }, "Delete the organization", newName);
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs`);
  await openPage(page, pageProblems, `/orgs/${newSlug}`, 404);
  await openPage(page, pageProblems, `/orgs/${org.slug}`, 404);
});

test("an owner hands the org to a member and leaves; a member reads why an admin page is closed to them", async ({ page, pageProblems, newDevice }) => {
  await createVerifiedAccount(page, "handover-owner", "Hana Owner");
  const org = newOrg("handover", test.info().project.name);
  await createOrg(page, org);
  const laptop = await newDevice();
  const member = await createVerifiedAccount(laptop, "handover-member", "Milo Member");
  await addMemberDirectly(org.slug, member.email, "member");

  // The member: the settings page offers leaving only, and admin pages say who may open them.
  await openPage(laptop, pageProblems, `/orgs/${org.slug}/settings`);
  await expect(laptop.getByRole("heading", { name: `Leave ${org.name}` })).toBeVisible();
  await expect(laptop.getByRole("heading", { name: `Delete ${org.name}` })).toHaveCount(0);
  await expectNoAxeViolations(laptop);
  await openPage(laptop, pageProblems, `/orgs/${org.slug}/audit`, 403);
  await expect(heading(laptop)).toHaveText("Not open to your role");
  await expect(laptop.getByRole("main")).toContainText("Only admins can see the audit history.");
  await expectNoAxeViolations(laptop);

  // The owner hands over ownership, then leaves.
  await openPage(page, pageProblems, `/orgs/${org.slug}/settings`);
  await expect(page.getByText("You are the only owner.")).toBeVisible();
  await confirmAction(page, { name: `Make owner Milo Member (${member.email})` }, "Transfer ownership");
  await expect(page.getByRole("status")).toContainText(`${member.email} now owns the organization. You are an admin.`);
  await confirmAction(page, { name: "Leave the organization" }, "Leave");
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs`);
  await openPage(page, pageProblems, `/orgs/${org.slug}`, 404);

  // The new owner sees it in the history.
  await openPage(laptop, pageProblems, `/orgs/${org.slug}/audit`);
  const events = laptop.getByRole("list", { name: "Audit events, newest first" }).getByRole("listitem");
  await expect(events.first()).toContainText(/Deleted user #[0-9a-f]{8} left the organization/);
  await expect(events.nth(1)).toContainText(/Deleted user #[0-9a-f]{8} handed ownership to Milo Member/);
});

test("an operator sees the overview and a user's page, and ends that user's sessions after confirming", async ({ page, pageProblems, newDevice }) => {
  const operator = await createVerifiedAccount(page, "console-op", "Oscar Operator");
  expect(await grantOperator(operator.email)).toContain("is now an operator");
  const laptop = await newDevice();
  const customer = await createVerifiedAccount(laptop, "console-customer", "Cora Customer");

  await openPage(page, pageProblems, "/admin");
  await expect(heading(page)).toHaveText("Operator console");
  await expect(page.getByRole("link", { name: "Waiting on the waitlist" })).toBeVisible();
  await expectNoAxeViolations(page);

  await openPage(page, pageProblems, `/admin/users?q=${encodeURIComponent(customer.email)}`);
  // The list links each account to its page.
  const userLink = page.getByRole("link", { name: customer.email, exact: true });
  await expect(userLink).toHaveAttribute("href", /^\/admin\/users\/[0-9a-f-]{36}$/);
  await openPage(page, pageProblems, (await userLink.getAttribute("href"))!);
  await expect(heading(page)).toHaveText(customer.email);
  await expect(page.getByRole("list", { name: "Their sessions" }).getByRole("listitem")).toHaveCount(1);
  await expectNoAxeViolations(page);

  await confirmAction(page, { name: "Sign out everywhere" }, "End their sessions");
  await expect(page.getByRole("status")).toContainText("1 session was ended.");
  await expect(page.getByText("Not signed in anywhere")).toBeVisible();
  await laptop.goto("/settings");
  await expect(laptop).toHaveURL(/\/login\?redirectTo=%2Fsettings$/);
});
