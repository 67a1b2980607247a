import { E2E_ORIGIN, E2E_SETTINGS } from "./support/instance";
import { expect, expectNoAxeViolations, openPage, tabTo, test } from "./support/fixtures";
import { expectSkipLinkToMainContent } from "./support/page-checks";
import { PAGES } from "./support/pages";

for (const target of PAGES) {
  test.describe(target.name, () => {
    for (const colorScheme of ["light", "dark"] as const) {
      test(`has no axe violations in the ${colorScheme} colour scheme`, async ({ page, pageProblems }) => {
        await page.emulateMedia({ colorScheme });
        await openPage(page, pageProblems, target.path, target.status);
        await expect(page.getByRole("heading", { level: 1 })).toHaveText(target.heading);
        await expectNoAxeViolations(page);
      });
    }

    test("puts the skip link first in the tab order, and it moves focus to the main content", async ({ page, pageProblems }) => {
      await openPage(page, pageProblems, target.path, target.status);
      await expectSkipLinkToMainContent(page, target.path);
    });
  });
}

test("the footer Privacy link opens the privacy page by keyboard", async ({ page, pageProblems }) => {
  await openPage(page, pageProblems, "/");
  await tabTo(page, page.getByRole("contentinfo").getByRole("link", { name: "Privacy" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`${E2E_ORIGIN}/privacy`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Privacy at ${E2E_SETTINGS.PRODUCT_NAME}`);
});

