// The operator console: closed to everyone but operators, who are made with
// the CLI (`node build/admin.js grant <email>`) against the server's database.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { createVerifiedAccount } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, test } from "./support/fixtures";
import { E2E_ORIGIN, e2eDatabaseUrl } from "./support/instance";

const run = promisify(execFile);

async function grantOperator(email: string): Promise<string> {
  const { stdout } = await run(process.execPath, [path.resolve("build/admin.js"), "grant", email], {
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", LOG_LEVEL: "warn", DATABASE_URL: e2eDatabaseUrl() },
    timeout: 60_000,
  });
  return stdout;
}

test("sends anonymous visitors of the operator console to log in", async ({ page }) => {
  for (const path of ["/admin", "/admin/emails"]) {
    await page.goto(path);
    await expect(page).toHaveURL(`${E2E_ORIGIN}/login?redirectTo=${encodeURIComponent(path)}`);
  }
});

test("answers 404 to a customer, and shows an operator granted with the CLI the email log", async ({ page, pageProblems }) => {
  const account = await createVerifiedAccount(page, "operator");

  for (const path of ["/admin", "/admin/emails"]) {
    await openPage(page, pageProblems, path, 404);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  }
  await expect(page.getByRole("banner").getByRole("link", { name: "Admin" })).toHaveCount(0);

  expect(await grantOperator(account.email)).toContain(`${account.email} is now an operator`);

  await openPage(page, pageProblems, "/admin");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Operator console");
  await expect(page.getByRole("banner").getByRole("link", { name: "Admin" })).toBeVisible();
  await expectNoAxeViolations(page);

  await page.getByRole("link", { name: "Email log" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/admin/emails`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Email log");
  const row = page.getByRole("table", { name: "Recent emails" }).locator("tbody tr").filter({ hasText: account.email });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell").nth(2)).toContainText("verify-email");
  await expect(row.getByRole("cell").nth(3)).toContainText("sent");
  await expectNoAxeViolations(page);
});
