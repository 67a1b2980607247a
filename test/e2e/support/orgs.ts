// Organizations for the e2e specs, made through the pages a customer uses.
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect } from "./fixtures";
import { E2E_ORIGIN } from "./instance";

export type Org = { name: string; slug: string };

/** A name and address nobody else in the run uses (the address takes lowercase letters, digits and hyphens). */
export function newOrg(label: string, project: string): Org {
  const suffix = randomBytes(4).toString("hex");
  return { name: `${label[0]!.toUpperCase()}${label.slice(1)} ${suffix}`, slug: `${label}-${project}-${suffix}` };
}

/** Opens the header's org switcher and follows "All organizations". */
export async function openOrganizations(page: Page): Promise<void> {
  await page.getByRole("banner").locator("details.org-switcher > summary").click();
  await page.getByRole("banner").getByRole("link", { name: "All organizations" }).click();
}

/** From the header's org switcher, creates `org` on /orgs/new and waits for its overview, where the creator is the owner. */
export async function createOrg(page: Page, org: Org): Promise<void> {
  await openOrganizations(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your organizations");
  await page.getByRole("main").getByRole("link", { name: "Create an organization" }).first().click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs/new`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Create an organization");
  await page.getByLabel("Name", { exact: true }).fill(org.name);
  await page.getByLabel("Address", { exact: true }).fill(org.slug);
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/orgs/${org.slug}`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(org.name);
  await expect(roleOnOverview(page)).toHaveText("Owner");
}

/** The "Your role" value on an org's overview page. */
export function roleOnOverview(page: Page) {
  return page.getByRole("main").locator(".stat", { hasText: "Your role" }).locator(".stat__value");
}
