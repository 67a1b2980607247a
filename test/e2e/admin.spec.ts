// The operator console: closed to everyone but operators, who are made with
// the CLI (`node build/admin.js grant <email>`) against the server's database.
import { createVerifiedAccount, openAccountMenu } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, test } from "./support/fixtures";
import { E2E_ORIGIN } from "./support/instance";
import { SIGNED_IN_PAGES } from "./support/pages";
import { grantOperator } from "./support/server-admin";

const OPERATOR_PATHS = SIGNED_IN_PAGES.filter((target) => target.operatorOnly).map((target) => target.path({ name: "", slug: "" }));

test("sends anonymous visitors of the operator console to log in", async ({ page }) => {
  for (const path of OPERATOR_PATHS) {
    await page.goto(path);
    await expect(page).toHaveURL(`${E2E_ORIGIN}/login?redirectTo=${encodeURIComponent(path)}`);
  }
});

test("answers 404 to a customer, and shows an operator granted with the CLI the email log", async ({ page, pageProblems }) => {
  const account = await createVerifiedAccount(page, "operator");

  for (const path of OPERATOR_PATHS) {
    await openPage(page, pageProblems, path, 404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  }
  await expect((await openAccountMenu(page)).getByRole("link", { name: "Admin" })).toHaveCount(0);

  expect(await grantOperator(account.email)).toContain(`${account.email} is now an operator`);

  await openPage(page, pageProblems, "/admin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Operator console");
  await expect((await openAccountMenu(page)).getByRole("link", { name: "Admin" })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole("link", { name: "Email log" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/admin/emails`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Email log");
  const row = page.getByRole("table", { name: "Recent emails" }).locator("tbody tr").filter({ hasText: account.email });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell").nth(2)).toContainText("verify-email");
  await expect(row.getByRole("cell").nth(3)).toContainText("Sent");
  await expectNoAxeViolations(page);
});
