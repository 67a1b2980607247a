// The account journey a customer takes: sign up, confirm the address (by code
// or by link), log out and in, and recover a forgotten password. Every message
// is a real email the server delivered to the fake Resend API.
import { createVerifiedAccount, enterVerificationCode, expectHome, linkIn, logIn, newAccount, openAccountMenu, signOut, signUp, submitLogin, verificationCode, waitForEmail } from "./support/accounts";
import { expect, expectNoAxeViolations, openPage, test } from "./support/fixtures";
import { E2E_ORIGIN, E2E_SETTINGS } from "./support/instance";

// A refused login answers 401: the document without JavaScript, its .data request with it.
const LOGIN_ANSWER = /\/login(\.data)?(\?.*)?$/;

test("signs up, confirms the address with the emailed code, logs out and back in", async ({ page }) => {
  const account = newAccount("code");
  await signUp(page, account);
  await expectNoAxeViolations(page);

  const email = await waitForEmail(account.email, /verification code/);
  expect(email.subject).toBe(`Your ${E2E_SETTINGS.PRODUCT_NAME} verification code`);
  expect(email.subject).not.toContain(verificationCode(email));
  expect(email.from).toBe("Gatehouse E2E <no-reply@e2e.example>");
  expect(email.to).toEqual([`"${account.name}" <${account.email}>`]);

  // Not confirmed yet: the browser that signed up goes on to the code form, which names the address.
  await page.getByRole("main").getByRole("link", { name: "enter the 8-digit code" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/verify-email`);
  await expect(page.getByRole("main")).toContainText(`We sent an 8-digit code to ${account.email}.`);
  await expect((await openAccountMenu(page)).getByRole("link", { name: "Verify your email" })).toBeVisible();
  await expectNoAxeViolations(page);
  await enterVerificationCode(page, verificationCode(email));
  // Home names the next step for a new account: an organization.
  await expect(page.getByRole("main")).toContainText("Next step: create or join an organization");
  await expectNoAxeViolations(page);

  await signOut(page);
  await expect(page).toHaveURL(`${E2E_ORIGIN}/`);
  await expect(page.getByRole("banner").getByRole("link", { name: "Log in" })).toBeVisible();

  // Signed out, the settings page asks to log in, and comes back after.
  await page.goto("/settings");
  await expect(page).toHaveURL(`${E2E_ORIGIN}/login?redirectTo=%2Fsettings`);
  await submitLogin(page, account.email, account.password, { open: false });
  await expect(page).toHaveURL(`${E2E_ORIGIN}/settings`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Settings");
});

test("confirms the address by following the emailed link in the browser that signed up, which goes on signed in", async ({ page, pageProblems }) => {
  const account = newAccount("link-here");
  await signUp(page, account);
  const link = linkIn(await waitForEmail(account.email, /verification code/), "/verify-email?token=");

  // Opening the link changes nothing by itself (mail scanners open links too).
  await openPage(page, pageProblems, link);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Confirm your email address");
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Confirm my email address" }).click();

  // The browser that signed up goes on, confirmed, to its home page.
  await expectHome(page);
  await expect(page.getByRole("main")).toContainText(`Signed in as ${account.email}.`);
});

test("confirms the address by following the emailed link in another browser, which then asks to log in", async ({ page, pageProblems, newDevice }) => {
  const account = newAccount("link");
  await signUp(page, account);
  const link = linkIn(await waitForEmail(account.email, /verification code/), "/verify-email?token=");

  const phone = await newDevice();
  await openPage(phone, pageProblems, link);
  await expect(phone.getByRole("heading", { level: 1 })).toHaveText("Confirm your email address");
  await phone.getByRole("button", { name: "Confirm my email address" }).click();
  await expect(phone).toHaveURL(`${E2E_ORIGIN}/login?notice=verified`);
  await expect(phone.getByRole("status")).toHaveText("Your email address is confirmed. Log in to continue.");
  // The browser that signed up goes on, confirmed.
  await page.goto("/settings");
  await expect(page.getByRole("main")).toContainText(`Your account uses ${account.email}.`);

  // Confirmed: logging in on the phone goes straight home, not to the code form.
  await submitLogin(phone, account.email, account.password, { open: false });
  await expectHome(phone);
  await expect(phone.getByRole("main")).toContainText(`Signed in as ${account.email}.`);
});

test("recovers a forgotten password by email, which ends every old session", async ({ page, pageProblems, newDevice }) => {
  const account = await createVerifiedAccount(page, "reset");

  // On another device, the owner asks for a reset link.
  const phone = await newDevice();
  await openPage(phone, pageProblems, "/forgot-password");
  await phone.getByLabel("Email", { exact: true }).fill(account.email);
  await phone.getByRole("button", { name: "Send the link" }).click();
  await expect(phone.getByRole("heading", { level: 1 })).toHaveText("Check your email");
  await expect(phone.getByRole("main")).toContainText(`If ${account.email} has an account, we sent it a link`);
  await expectNoAxeViolations(phone);

  const resetEmail = await waitForEmail(account.email, /^Reset your .* password$/);
  const link = linkIn(resetEmail, "/reset-password/");
  const response = await openPage(phone, pageProblems, link);
  // The token is in the address: no Referer may carry it to another site. A
  // browser applies the last policy the header lists (the exact header is
  // checked in test/server/accounts-http.test.ts).
  expect(response.headers()["referrer-policy"]?.split(/[,\n]/).at(-1)?.trim()).toBe("no-referrer");
  await expect(phone.getByRole("heading", { level: 1 })).toHaveText("Choose a new password");
  await expectNoAxeViolations(phone);

  const newPassword = `${account.password} renewed`;
  await phone.getByLabel("New password", { exact: true }).fill(newPassword);
  await phone.getByRole("button", { name: "Save the new password" }).click();
  await expect(phone).toHaveURL(`${E2E_ORIGIN}/login?notice=password-reset`);
  await expect(phone.getByRole("status")).toHaveText("Your password was changed. Log in with the new one.");
  // The owner is told, in case it was not them.
  await waitForEmail(account.email, new RegExp(`^Your ${E2E_SETTINGS.PRODUCT_NAME} password was changed$`));

  // The link worked once.
  await openPage(phone, pageProblems, link, 410);
  await expect(phone.getByRole("heading", { level: 1 })).toHaveText("This link no longer works");

  // The session that was open before the reset is gone.
  await page.goto("/settings");
  await expect(page).toHaveURL(`${E2E_ORIGIN}/login?redirectTo=%2Fsettings`);
  await expect(page.getByRole("banner").getByRole("link", { name: "Log in" })).toBeVisible();

  // The old password no longer works; the new one does.
  pageProblems.allowStatus(LOGIN_ANSWER, 401);
  await submitLogin(page, account.email, account.password, { open: false });
  await expect(page.getByRole("alert")).toHaveText("The email address or password is not right.");
  await expectNoAxeViolations(page);
  await submitLogin(page, account.email, newPassword, { open: false });
  await expect(page).toHaveURL(`${E2E_ORIGIN}/settings`);
  await logIn(phone, { ...account, password: newPassword });
});
