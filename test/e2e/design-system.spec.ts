// The design system's promises, on every page and with JavaScript on and off
// (both projects run this file): no page scrolls sideways on a 390 px phone or
// a 1280 px laptop, no field sticks out of its card, phone layouts are axe-clean too, destructive actions ask
// first (and Cancel changes nothing), irreversible ones want the name typed,
// and a double-clicked "Create key" makes one key.
import type { BrowserContextOptions, Page } from "@playwright/test";
import pg from "pg";
import { confirmAction, confirmationStep, createVerifiedAccount, newAccount } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, randomClientIp, test as base } from "./support/fixtures";
import { e2eDatabaseUrl } from "./support/instance";
import { createOrg, newOrg, type Org } from "./support/orgs";
import { PAGES, SIGNED_IN_PAGES } from "./support/pages";
import { grantOperator, setOrgPlan } from "./support/server-admin";

type Owner = { org: Org; storageState: Exclude<BrowserContextOptions["storageState"], string | undefined> };

// An org owner who is also an operator, on the Team plan, with a key and a
// pending invitation, so the pages show their tables rather than empty states.
const test = base.extend<object, { owner: Owner }>({
  owner: [
    async ({ browser }, provide, workerInfo) => {
      const project = workerInfo.project.name;
      const context = await browser.newContext({ baseURL: workerInfo.project.use.baseURL, extraHTTPHeaders: { "X-Forwarded-For": randomClientIp() } });
      const page = await context.newPage();
      const account = await createVerifiedAccount(page, "design", "Paige Turner", project);
      const org = newOrg("design", project);
      await createOrg(page, org);
      await setOrgPlan(org.slug, "team");
      await page.goto(`/orgs/${org.slug}/api-keys`);
      await page.getByLabel("Key name").fill("A key with a rather long name for a narrow phone screen");
      await page.getByRole("button", { name: "Create key" }).click();
      await expect(page.getByRole("status").first()).toContainText("created");
      await page.goto(`/orgs/${org.slug}/invitations`);
      await page.getByLabel("Email", { exact: true }).fill(newAccount("design-invitee-with-a-long-address", undefined, project).email);
      await page.getByRole("button", { name: "Send invitation" }).click();
      await expect(page.getByRole("status")).toContainText("Invitation sent to");
      expect(await grantOperator(account.email)).toContain("is now an operator");
      const storageState = await context.storageState();
      await context.close();
      await provide({ org, storageState });
    },
    { scope: "worker", timeout: 150_000 },
  ],
});

const WIDTHS = [390, 1280] as const;

async function expectNoSidewaysScroll(page: Page, what: string) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `${what}: the page is ${scrollWidth} px wide in a ${innerWidth} px window`).toBeLessThanOrEqual(innerWidth);
}

/**
 * No form control reaches into its card's padding (the audit filter's date
 * inputs once did at 390 px: a date input's built-in minimum width beat the
 * column it sat in, without widening the page).
 */
async function expectFieldsInsideTheirCards(page: Page, what: string) {
  const overflowing = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".card__body .field__input")].flatMap((input) => {
      const body = input.closest<HTMLElement>(".card__body")!;
      const inner = body.getBoundingClientRect().right - parseFloat(getComputedStyle(body).paddingRight);
      const right = input.getBoundingClientRect().right;
      return right > inner + 0.5 ? [`${input.getAttribute("name")}: right edge at ${Math.round(right)} px, the card's content ends at ${Math.round(inner)} px`] : [];
    }),
  );
  expect(overflowing, what).toEqual([]);
}

test.describe("pages for visitors", () => {
  for (const width of WIDTHS) {
    test(`none scrolls sideways at ${width} px, and each is axe-clean there`, async ({ page, pageProblems }) => {
      test.setTimeout(180_000);
      await page.setViewportSize({ width, height: 800 });
      for (const target of PAGES) {
        await openPage(page, pageProblems, target.path, target.status);
        await expectNoSidewaysScroll(page, target.name);
        await expectFieldsInsideTheirCards(page, target.name);
        if (width === 390) await expectNoAxeViolations(page);
      }
    });
  }
});

test.describe("pages behind a login", () => {
  test.use({ storageState: async ({ owner }, provide) => provide(owner.storageState) });
  for (const width of WIDTHS) {
    for (const colorScheme of width === 390 ? (["light", "dark"] as const) : (["light"] as const)) {
      test(`none scrolls sideways at ${width} px${width === 390 ? `, and each is axe-clean there in the ${colorScheme} scheme` : ""}`, async ({ page, pageProblems, owner }) => {
        // Every signed-in page, each checked by axe (without JavaScript, in a scriptless copy): the list grows with the product.
        test.setTimeout(300_000);
        await page.emulateMedia({ colorScheme });
        await page.setViewportSize({ width, height: 800 });
        for (const target of SIGNED_IN_PAGES) {
          await openPage(page, pageProblems, target.path(owner.org));
          await expect(page.getByRole("heading", { level: 1 })).toHaveText(target.heading(owner.org));
          await expectNoSidewaysScroll(page, target.name);
          await expectFieldsInsideTheirCards(page, target.name);
          if (width === 390) await expectNoAxeViolations(page);
        }
      });
    }
  }

  test("on a phone the section sidebar folds into a menu that opens and leads to its pages", async ({ page, pageProblems, owner }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await openPage(page, pageProblems, `/orgs/${owner.org.slug}/members`);
    const menu = page.locator("details.sidenav-mobile");
    await expect(menu.locator("summary")).toContainText("Members");
    await menu.locator("summary").click();
    await menu.getByRole("link", { name: "API keys" }).click();
    await expect(page).toHaveURL(new RegExp(`/orgs/${owner.org.slug}/api-keys$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("API keys");
  });

  test("the account menu names the person and leads to Settings and Admin", async ({ page, pageProblems }) => {
    await openPage(page, pageProblems, "/home");
    const menu = page.getByRole("banner").locator("details.account-menu");
    await menu.locator("summary").click();
    await expect(menu).toContainText("Paige Turner");
    await expect(menu.locator(".avatar")).toHaveText("PT");
    await menu.getByRole("link", { name: "Admin" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Operator console");
  });
});

test.describe("destructive actions", () => {
  test.use({ storageState: async ({ owner }, provide) => provide(owner.storageState) });

  test("revoking a key asks first; Cancel leaves it working", async ({ page, pageProblems, owner }) => {
    await openPage(page, pageProblems, `/orgs/${owner.org.slug}/api-keys`);
    await page.getByLabel("Key name").fill("Revocable");
    await page.getByRole("button", { name: "Create key" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Key “Revocable” created" })).toBeVisible();
    const row = page.getByRole("table", { name: "API keys" }).locator("tbody tr").filter({ hasText: "Revocable" });
    await row.getByRole("button", { name: "Revoke Revocable" }).or(row.getByRole("link", { name: "Revoke Revocable" })).click();
    const step = confirmationStep(page);
    await expect(step).toContainText("Revoke the key “Revocable”?");
    await expect(step).toContainText("This cannot be undone");
    await expectNoAxeViolations(page);
    await step.getByRole("button", { name: "Cancel" }).or(step.getByRole("link", { name: "Cancel" })).click();
    await expect(step).toBeHidden();
    await expect(row).not.toContainText("Revoked");

    await confirmAction(page, { name: "Revoke Revocable", within: row }, "Revoke key");
    await expect(page.getByRole("status").filter({ hasText: "The key was revoked" })).toBeVisible();
    await expect(row).toContainText("Revoked");
  });

  test("erasing an account at once wants its email typed", async ({ page, pageProblems }) => {
    const email = await insertAccount("erase-me", test.info().project.name);
    await openPage(page, pageProblems, `/admin/users?q=${encodeURIComponent(email)}`);
    const row = page.getByRole("table", { name: "Users" }).locator("tbody tr").filter({ hasText: email });
    await row.getByRole("button", { name: `Erase now ${email}` }).or(row.getByRole("link", { name: `Erase now ${email}` })).click();
    const step = confirmationStep(page);
    await expect(step).toContainText(`Erase ${email} now?`);
    await step.getByRole("textbox").fill("not the address");
    const erase = step.getByRole("button", { name: "Erase now" });
    if (test.info().project.name === "js") {
      // With JavaScript the button waits for the exact address.
      await expect(erase).toBeDisabled();
    } else {
      // Without it, the server refuses the wrong one and changes nothing.
      pageProblems.allowStatus(/\/admin\/users(\.data)?(\?.*)?$/, 400);
      await erase.click();
      await expect(page.getByRole("alert")).toHaveText("The name you typed does not match. Nothing was changed.");
      await row.getByRole("link", { name: `Erase now ${email}` }).click();
      await step.getByRole("textbox").fill(email);
    }
    await step.getByRole("textbox").fill(email);
    await step.getByRole("button", { name: "Erase now" }).click();
    await expect(page.getByRole("status").filter({ hasText: "The user was erased." })).toBeVisible();
    expect(await accountExists(email)).toBe(false);
  });
});

test.describe("creating forms", () => {
  test.use({ storageState: async ({ owner }, provide) => provide(owner.storageState) });

  test("a double-clicked Create key makes one key, and the form clears after", async ({ page, pageProblems, owner }) => {
    await openPage(page, pageProblems, `/orgs/${owner.org.slug}/api-keys`);
    const name = `Double ${test.info().project.name} ${Date.now()}`;
    await page.getByLabel("Key name").fill(name);
    await page.getByRole("button", { name: "Create key" }).dblclick();
    await expect(page.getByRole("status").filter({ hasText: /created|already sent/ }).first()).toBeVisible();
    await openPage(page, pageProblems, `/orgs/${owner.org.slug}/api-keys`);
    await expect(page.getByRole("table", { name: "API keys" }).locator("tbody tr").filter({ hasText: name })).toHaveCount(1);
    await expect(page.getByLabel("Key name")).toHaveValue("");
  });
});

// An account made directly in the database (it never signs in): something for the operator to erase.
async function insertAccount(label: string, project: string): Promise<string> {
  const email = `${label}-${project}-${Date.now()}@e2e.example`;
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    await client.query(`insert into "user" (email, password_hash, name, email_verified_at) values ($1, 'not-a-hash', null, now())`, [email]);
  } finally {
    await client.end();
  }
  return email;
}

async function accountExists(email: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query(`select 1 from "user" where email = $1`, [email]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}
