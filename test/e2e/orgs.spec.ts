// Organizations as their owners and members use them: create one, invite
// someone by email, who signs up from the link on their own device; change
// their role, remove them; and API keys, shown once, that work until revoked.
import type { Page } from "@playwright/test";
import { confirmAction, createVerifiedAccount, linkIn, newAccount, waitForEmail } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, test } from "./support/fixtures";
import { E2E_ORIGIN, E2E_SETTINGS } from "./support/instance";
import { createOrg, newOrg, openOrganizations, roleOnOverview } from "./support/orgs";
import { escapeRegExp } from "./support/page-checks";
import { setOrgPlan } from "./support/server-admin";

/** The org's tabs only admins and owners see. */
const ADMIN_TABS = ["Invitations", "API keys", "Audit history", "Security"];

const heading = (page: Page) => page.getByRole("heading", { level: 1 });

test("invites a new person by email, who signs up from the link; the owner makes them admin, then removes them", async ({ page, pageProblems, newDevice }) => {
  await createVerifiedAccount(page, "org-owner", "Olivia Owner");
  const org = newOrg("acme", test.info().project.name);
  await createOrg(page, org);
  await expectNoAxeViolations(page);

  // The owner invites someone who has no account yet.
  const invitee = newAccount("org-invitee", "Ivy Invitee");
  const orgNav = page.getByRole("navigation", { name: `${org.name} sections` });
  await orgNav.getByRole("link", { name: "Invitations" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs/${org.slug}/invitations`);
  await page.getByLabel("Email", { exact: true }).fill(invitee.email);
  await expect(page.getByLabel("Role")).toHaveValue("member");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("status")).toHaveText(`Invitation sent to ${invitee.email}.`);
  const pending = page.getByRole("table", { name: "Pending invitations" }).locator("tbody tr").filter({ hasText: invitee.email });
  await expect(pending).toContainText("Member");
  await expect(pending.locator("time")).toHaveCount(2);
  await expectNoAxeViolations(page);

  const invitation = await waitForEmail(invitee.email, new RegExp(`^Join ${escapeRegExp(org.name)} on ${E2E_SETTINGS.PRODUCT_NAME}$`));
  const link = linkIn(invitation, "/invite/");

  // On their own device, the invitee opens the link and signs up there.
  const laptop = await newDevice();
  await openPage(laptop, pageProblems, link);
  await expect(heading(laptop)).toHaveText(`Join ${org.name}`);
  await expect(laptop.getByRole("main")).toContainText(`You are invited as a member. The invitation is for ${invitee.email}.`);
  await expectNoAxeViolations(laptop);
  await laptop.getByLabel("Name (optional)").fill(invitee.name);
  await laptop.getByLabel("Password", { exact: true }).fill(invitee.password);
  await laptop.getByRole("button", { name: "Create my account and join" }).click();
  await expect(laptop).toHaveURL(`${E2E_ORIGIN}/orgs/${org.slug}`);
  await expect(heading(laptop)).toHaveText(org.name);
  await expect(roleOnOverview(laptop)).toHaveText("Member");

  // A member sees the members, not the admin pages.
  const inviteeNav = laptop.getByRole("navigation", { name: `${org.name} sections` });
  await expect(inviteeNav.getByRole("link", { name: "Members" })).toBeVisible();
  for (const adminPage of ADMIN_TABS) await expect(inviteeNav.getByRole("link", { name: adminPage })).toHaveCount(0);
  await openPage(laptop, pageProblems, `/orgs/${org.slug}/invitations`, 403);
  await expect(heading(laptop)).toHaveText("Not open to your role");
  await expect(laptop.getByRole("main")).toContainText("Only admins can manage invitations.");

  // The owner makes them an admin.
  await orgNav.getByRole("link", { name: "Members" }).click();
  await expect(heading(page)).toHaveText("Members");
  const rows = page.getByRole("table", { name: "Members" }).locator("tbody tr");
  await expect(rows).toHaveCount(2);
  const label = `${invitee.name} (${invitee.email})`;
  await expect(rows.filter({ hasText: invitee.email })).toContainText("Member");
  // Role changes are reached from the member's row: one form on the page, not two per member.
  await page.getByRole("link", { name: `Change role or remove ${label}` }).click();
  const role = page.getByLabel(`Role of ${label}`);
  await expect(role).toHaveValue("member");
  await role.selectOption("admin");
  await page.getByRole("button", { name: `Change role of ${label}` }).click();
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(page.getByLabel(`Role of ${label}`)).toHaveValue("admin");
  await expectNoAxeViolations(page);

  // As an admin, they now have the admin pages.
  await openPage(laptop, pageProblems, `/orgs/${org.slug}`);
  await expect(roleOnOverview(laptop)).toHaveText("Admin");
  for (const adminPage of ADMIN_TABS) await expect(inviteeNav.getByRole("link", { name: adminPage })).toBeVisible();
  await inviteeNav.getByRole("link", { name: "Invitations" }).click();
  await expect(heading(laptop)).toHaveText("Invitations");

  // The owner removes them.
  // Anchored: the row's "Change role or remove …" link contains the same words.
  await confirmAction(page, { name: new RegExp(`^Remove ${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`) }, "Remove member");
  await expect(page.getByRole("status")).toHaveText("Saved.");
  await expect(rows).toHaveCount(1);
  await expect(rows.filter({ hasText: invitee.email })).toHaveCount(0);

  // Their next visit finds nothing there, as if the org did not exist.
  await openPage(laptop, pageProblems, `/orgs/${org.slug}`, 404);
  await expect(heading(laptop)).toHaveText("Page not found");
  await openOrganizations(laptop);
  await expect(laptop.getByRole("main")).toContainText("You are not in any organization yet");

  // The audit history tells the story, newest first.
  await orgNav.getByRole("link", { name: "Audit history" }).click();
  await expect(heading(page)).toHaveText("Audit history");
  const events = page.getByRole("list", { name: "Audit events, newest first" }).getByRole("listitem");
  await expect(events).toHaveText([
    new RegExp(`^Olivia Owner removed ${escapeRegExp(invitee.email)} from the organization`),
    new RegExp(`^Olivia Owner changed the role of ${escapeRegExp(invitee.email)} from member to admin`),
    /^Deleted user #[0-9a-f]{8} joined the organization as member/,
    new RegExp(`^Olivia Owner invited ${escapeRegExp(invitee.email)} as member`),
    new RegExp(`^Olivia Owner created the organization ${escapeRegExp(org.slug)}`),
  ]);
});

test("an API key, shown once, reads the org through /api/v1 until it is revoked", async ({ page, pageProblems, request }) => {
  await createVerifiedAccount(page, "org-keys", "Kim Keys");
  const org = newOrg("keys", test.info().project.name);
  await createOrg(page, org);
  const apiKeysPath = `/orgs/${org.slug}/api-keys`;

  // A new hosted org is on the free Solo plan, which has no API keys: the refusal says why.
  await page.getByRole("navigation", { name: `${org.name} sections` }).getByRole("link", { name: "API keys" }).click();
  await expect(heading(page)).toHaveText("API keys");
  pageProblems.allowStatus(new RegExp(`${escapeRegExp(apiKeysPath)}(\\.data)?\\?`), 403);
  await page.getByLabel("Key name").fill("CI deploys");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(heading(page)).toHaveText("That change is not available");
  await expect(page.getByRole("main")).toContainText("API keys come with the Team plan.");

  // On the Team plan (as after a purchase), an admin creates one.
  await setOrgPlan(org.slug, "team");
  await openPage(page, pageProblems, apiKeysPath);
  await page.getByLabel("Key name").fill("CI deploys");
  await page.getByRole("button", { name: "Create key" }).click();
  const created = page.getByRole("status").filter({ hasText: "Key “CI deploys” created" });
  await expect(created).toContainText("Copy it now: it is shown only once.");
  // The key is in a read-only field (selected when focused), with a Copy button when JavaScript runs.
  const key = await created.getByRole("textbox", { name: "API key CI deploys" }).inputValue();
  expect(key).toMatch(/^gk_[A-Za-z0-9_]{20,}$/);
  await expectNoAxeViolations(page);

  const bearer = { Authorization: `Bearer ${key}` };
  const answer = await request.get("/api/v1/org", { headers: bearer });
  expect(answer.status()).toBe(200);
  expect(await answer.json()).toMatchObject({ slug: org.slug, name: org.name, plan: "team", member_count: 1 });

  // Shown once: the page lists it by its prefix only.
  await openPage(page, pageProblems, apiKeysPath);
  await expect(page.getByText(key)).toHaveCount(0);
  const row = page.getByRole("table", { name: "API keys" }).locator("tbody tr").filter({ hasText: "CI deploys" });
  await expect(row.locator("code")).toHaveText(`${key.slice(0, "gk_".length + 8)}…`);

  await confirmAction(page, { name: "Revoke CI deploys", within: row }, "Revoke key");
  await expect(page.getByRole("status").filter({ hasText: "revoked" })).toHaveText("The key was revoked. Requests with it now fail.");
  await expect(row).toContainText("Revoked");

  const refused = await request.get("/api/v1/org", { headers: bearer });
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toEqual({ error: "A valid API key is required: Authorization: Bearer gk_…" });
});
