import { E2E_ORIGIN, E2E_SETTINGS } from "./support/instance";
import { expect, openPage, test } from "./support/fixtures";
import { expectProductNameInHeader } from "./support/page-checks";
import { PAGES } from "./support/pages";

for (const target of PAGES) {
  test(`the ${target.name} names the configured product in the header`, async ({ page, pageProblems }) => {
    await openPage(page, pageProblems, target.path, target.status);
    await expectProductNameInHeader(page);
  });
}

test.describe("landing page", () => {
  test("shows the headline, the product name and the waitlist section", async ({ page, pageProblems }) => {
    await openPage(page, pageProblems, "/");
    await expect(page).toHaveTitle(new RegExp(`^${E2E_SETTINGS.PRODUCT_NAME} — `));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account, your team, your data — in one place.");
    const waitlist = page.getByRole("region", { name: "Join the waitlist" });
    await expect(waitlist).toBeVisible();
    await expect(waitlist.getByRole("heading", { level: 2 })).toHaveText("Join the waitlist");
  });
});

test.describe("privacy page", () => {
  test("names the product, the operator and the operator's email from the settings", async ({ page, pageProblems }) => {
    await openPage(page, pageProblems, "/privacy");
    await expect(page).toHaveTitle(`Privacy — ${E2E_SETTINGS.PRODUCT_NAME}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Privacy at ${E2E_SETTINGS.PRODUCT_NAME}`);
    const policy = page.getByRole("article");
    await expect(policy).toContainText(`is run by ${E2E_SETTINGS.OPERATOR_NAME}.`);
    await expect(policy.locator("code")).toHaveText(E2E_ORIGIN);
    await expect(policy.getByRole("link", { name: E2E_SETTINGS.OPERATOR_EMAIL })).toHaveAttribute(
      "href",
      `mailto:${E2E_SETTINGS.OPERATOR_EMAIL}`,
    );
  });

  test("in hosted mode names Resend and LemonSqueezy as processors", async ({ page, pageProblems }) => {
    await openPage(page, pageProblems, "/privacy");
    const processors = page.getByRole("heading", { name: "Who else sees it" }).locator("xpath=following-sibling::*[1]");
    await expect(processors).toContainText("Resend delivers our emails");
    await expect(processors).toContainText("LemonSqueezy handles payment");
    await expect(page.getByText("This is a self-hosted installation")).toHaveCount(0);
  });
});

test.describe("unknown address", () => {
  test("answers 404 with a 'Page not found' page that links home", async ({ page, pageProblems }) => {
    await openPage(page, pageProblems, "/no-such-page/anywhere", 404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
    // The site chrome is still there, so the visitor is not stranded.
    await expect(page.getByRole("contentinfo").getByRole("link", { name: "Privacy" })).toBeVisible();

    const home = page.getByRole("main").getByRole("link", { name: "Go to the home page" });
    await expect(home).toHaveAttribute("href", "/");
    await home.click();
    await expect(page).toHaveURL(`${E2E_ORIGIN}/`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account, your team, your data — in one place.");
  });
});
