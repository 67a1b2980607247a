// An org's webhooks page as its owner walks it, with JavaScript on and off:
// a private address refused in words (the e2e server runs in hosted mode), an
// endpoint added with its secret shown once, the secret rotated and the
// endpoint deleted through their confirmations. Each state gets an axe scan.
import type { Page } from "@playwright/test";
import { confirmAction, createVerifiedAccount } from "./support/accounts";
import { expect, expectNoAxeViolations, test } from "./support/fixtures";
import { E2E_ORIGIN } from "./support/instance";
import { createOrg, newOrg } from "./support/orgs";
import { escapeRegExp } from "./support/page-checks";

const heading = (page: Page) => page.getByRole("heading", { level: 1 });
const secretField = (page: Page) => page.getByRole("textbox", { name: "Signing secret", exact: true });

test.describe.configure({ timeout: 180_000 });

test("an owner adds an endpoint, copies its secret once, rotates it and deletes it", async ({ page, pageProblems }) => {
  await createVerifiedAccount(page, "hooks-owner", "Hana Hooks");
  const org = newOrg("hooks", test.info().project.name);
  await createOrg(page, org);

  await page.getByRole("navigation", { name: `${org.name} sections` }).getByRole("link", { name: "Webhooks" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs/${org.slug}/webhooks`);
  await expect(heading(page)).toHaveText("Webhooks");
  await expect(page.getByText("No endpoints yet")).toBeVisible();
  await expectNoAxeViolations(page);

  // Hosted mode: this server may not be made to call its own network.
  pageProblems.allowStatus(new RegExp(`/orgs/${escapeRegExp(org.slug)}/webhooks(\\.data)?(\\?.*)?$`), 400);
  await page.getByLabel("Endpoint URL").fill("http://127.0.0.1:8080/hooks");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await expect(page.getByText("points to a private, loopback or link-local address")).toBeVisible();
  await expectNoAxeViolations(page);

  // A public address (a documentation range: nothing answers there).
  await page.getByLabel("Endpoint URL").fill("https://203.0.113.10/hooks");
  await page.getByLabel("Description").fill("SIEM collector");
  await page.getByRole("button", { name: "Add endpoint" }).click();
  await expect(page.getByText("Signing secret for https://203.0.113.10/hooks")).toBeVisible();
  await expect(secretField(page)).toHaveValue(/^whsec_/);
  const first = await secretField(page).inputValue();
  await expect(page.getByRole("heading", { name: "https://203.0.113.10/hooks" })).toBeVisible();
  await expectNoAxeViolations(page);

  // Reloading shows the endpoint, never the secret again.
  await page.goto(`/orgs/${org.slug}/webhooks`);
  await expect(secretField(page)).toHaveCount(0);

  await confirmAction(page, { name: /Rotate secret/ }, "Rotate secret");
  await expect(page.getByText("signed with both the old and the new secret")).toBeVisible();
  await expect(secretField(page)).toHaveValue(/^whsec_/);
  expect(await secretField(page).inputValue()).not.toBe(first);

  await confirmAction(page, { name: /^Delete/ }, "Delete endpoint");
  await expect(page.getByText("The endpoint was deleted.")).toBeVisible();
  await expect(page.getByText("No endpoints yet")).toBeVisible();
});
