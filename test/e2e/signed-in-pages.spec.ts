// The pages behind a login get the checks every public page gets (axe in both
// colour schemes, the skip link, the product name in the header), seen by an
// org owner who is also an operator. The account is made once per worker,
// through the same pages a customer uses, and each test starts from its cookies.
import type { BrowserContextOptions } from "@playwright/test";
import { createVerifiedAccount, newAccount } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, randomClientIp, test as base } from "./support/fixtures";
import { E2E_ORIGIN } from "./support/instance";
import { createOrg, newOrg, type Org } from "./support/orgs";
import { expectProductNameInHeader, expectSkipLinkToMainContent } from "./support/page-checks";
import { SIGNED_IN_PAGES } from "./support/pages";
import { grantOperator } from "./support/server-admin";

type Owner = { org: Org; storageState: Exclude<BrowserContextOptions["storageState"], string | undefined> };

const test = base.extend<object, { owner: Owner }>({
  owner: [
    async ({ browser }, provide, workerInfo) => {
      const project = workerInfo.project.name;
      const context = await browser.newContext({ baseURL: workerInfo.project.use.baseURL, extraHTTPHeaders: { "X-Forwarded-For": randomClientIp() } });
      const page = await context.newPage();
      const account = await createVerifiedAccount(page, "pages", "Paige Turner", project);
      const org = newOrg("pages", project);
      await createOrg(page, org);
      // A pending invitation, so the invitations page shows its list and the audit page an event or two.
      await page.goto(`/orgs/${org.slug}/invitations`);
      await page.getByLabel("Email", { exact: true }).fill(newAccount("pages-invitee", undefined, project).email);
      await page.getByRole("button", { name: "Send invitation" }).click();
      await expect(page.getByRole("status")).toContainText("Invitation sent to");
      expect(await grantOperator(account.email)).toContain("is now an operator");
      const storageState = await context.storageState();
      await context.close();
      await provide({ org, storageState });
    },
    { scope: "worker", timeout: 120_000 },
  ],
  storageState: async ({ owner }, provide) => provide(owner.storageState),
});

for (const target of SIGNED_IN_PAGES) {
  test.describe(target.name, () => {
    for (const colorScheme of ["light", "dark"] as const) {
      test(`has no axe violations in the ${colorScheme} colour scheme`, async ({ page, pageProblems, owner }) => {
        await page.emulateMedia({ colorScheme });
        await openPage(page, pageProblems, target.path(owner.org));
        await expect(page.getByRole("heading", { level: 1 })).toHaveText(target.heading(owner.org));
        await expectNoAxeViolations(page);
      });
    }

    test("puts the skip link first in the tab order, and it moves focus to the main content", async ({ page, pageProblems, owner }) => {
      await openPage(page, pageProblems, target.path(owner.org));
      await expectSkipLinkToMainContent(page, target.path(owner.org));
    });

    test("names the configured product in the header", async ({ page, pageProblems, owner }) => {
      await openPage(page, pageProblems, target.path(owner.org));
      await expectProductNameInHeader(page);
    });
  });
}

test("sends a signed-out visitor of each of these pages to log in", async ({ page, owner }) => {
  // (Every context of this file starts signed in, even a new one: sign this one out.)
  await page.context().clearCookies();
  for (const target of SIGNED_IN_PAGES) {
    const path = target.path(owner.org);
    await page.goto(path);
    await expect(page).toHaveURL(`${E2E_ORIGIN}/login?redirectTo=${encodeURIComponent(path)}`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Log in");
  }
});
