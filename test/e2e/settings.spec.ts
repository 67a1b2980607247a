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
    const rows = page.getByRole("list", { name: "Signed-in sessions" }).getByRole("listitem");
    await expect(rows).toHaveCount(2);
    // This device first, named from its User-Agent (bowser), with its type and IP.
    const current = rows.first();
    await expect(current).toContainText("Chrome on Linux");
    await expect(current).toContainText("This device");
    await expect(current).toContainText(`Computer · ${clientIp}`);
    const other = rows.nth(1);
    await expect(other).toContainText("Firefox on Windows");
    await expect(other).toContainText(`Computer · ${laptopIp}`);
    await expect(other).toContainText(/Last active (just now|\d+ minutes? ago)/);
    await expect(other.locator("time").first()).toHaveAttribute("title", /UTC$/);
    await expectNoAxeViolations(page);

    // It asks first (a dialog with JavaScript, a confirmation step without).
    const trigger = page.getByRole("button", { name: "Sign out everywhere else" }).or(page.getByRole("link", { name: "Sign out everywhere else" }));
    await confirmAction(page, { name: "Sign out everywhere else" }, "Sign out other sessions");
    await expect(page.getByRole("status")).toContainText("1 session was ended.");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText("This device");
    await expect(trigger).toHaveCount(0);

    // The other device is signed out; this one is not.
    await laptop.goto("/settings");
    await expect(laptop).toHaveURL(`${E2E_ORIGIN}/login?redirectTo=%2Fsettings`);
    await page.goto("/settings/sessions");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your sessions");
    await expect(rows).toHaveCount(1);
  });
});
