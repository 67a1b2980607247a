// Settings and sessions, as a signed-in customer uses them.
import { confirmAction, createVerifiedAccount, logIn, USER_AGENTS } from "./support/accounts";
import { expect, expectNoAxeViolations, randomClientIp, test } from "./support/fixtures";
import { E2E_ORIGIN } from "./support/instance";

test("changes the name on the settings page", async ({ page }) => {
  await createVerifiedAccount(page, "name", "Ada Lovelace");
  await page.goto("/settings");
  const name = page.getByLabel("Name", { exact: true });
  await expect(name).toHaveValue("Ada Lovelace");

  await name.fill("Grace Hopper");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("status")).toHaveText("Your name was saved.");
  await expectNoAxeViolations(page);

  await page.goto("/settings");
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Grace Hopper");
});

test.describe("sessions page", () => {
  test.use({ userAgent: USER_AGENTS.chromeOnLinux });

  test("lists this session with its device and IP, and signs out everywhere else", async ({ page, clientIp, newDevice }) => {
    const account = await createVerifiedAccount(page, "sessions");
    const laptopIp = randomClientIp();
    const laptop = await newDevice({ userAgent: USER_AGENTS.firefoxOnWindows, clientIp: laptopIp });
    await logIn(laptop, account);

    await page.goto("/settings");
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Sessions" }).click();
    await expect(page).toHaveURL(`${E2E_ORIGIN}/settings/sessions`);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your sessions");
    const rows = page.getByRole("table", { name: "Signed-in sessions" }).locator("tbody tr");
    await expect(rows).toHaveCount(2);
    const current = rows.filter({ hasText: "This session" });
    await expect(current.getByRole("cell").nth(0)).toHaveText("Chrome on Linux This session");
    await expect(current.getByRole("cell").nth(1)).toHaveText(clientIp);
    const other = rows.filter({ hasNotText: "This session" });
    await expect(other.getByRole("cell").nth(0)).toHaveText("Firefox on Windows");
    await expect(other.getByRole("cell").nth(1)).toHaveText(laptopIp);
    await expectNoAxeViolations(page, { soft: true });

    await confirmAction(page, { name: "Sign out everywhere else" }, "Sign out other sessions");
    await expect(page.getByRole("status")).toHaveText("1 session was ended.");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("This session");
    await expect(page.getByRole("button", { name: "Sign out everywhere else" }).or(page.getByRole("link", { name: "Sign out everywhere else" }))).toHaveCount(0);

    // The other device is signed out; this one is not.
    await laptop.goto("/settings");
    await expect(laptop).toHaveURL(`${E2E_ORIGIN}/login?redirectTo=%2Fsettings`);
    await page.goto("/settings/sessions");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your sessions");
    await expect(rows).toHaveCount(1);
  });
});
