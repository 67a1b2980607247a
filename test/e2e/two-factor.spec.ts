// Two-factor sign-in as a customer lives it: an authenticator app (the test
// computes the codes from the key shown on the page, as an app would), its
// recovery codes, and passkeys on Chromium's virtual authenticator.
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import type { Page } from "@playwright/test";
import { createVerifiedAccount, signOut, submitLogin, waitForEmail, type Account } from "./support/accounts";
import { expect, expectNoAxeViolations, test } from "./support/fixtures";
import { E2E_ORIGIN } from "./support/instance";

const heading = (page: Page) => page.getByRole("heading", { level: 1 });

/** The code an authenticator app shows `stepsAhead` 30-second steps from now (the server allows one step of drift). */
function totpCode(key: Uint8Array, stepsAhead = 0): string {
  return generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + stepsAhead), 6);
}

async function enrolAuthenticatorApp(page: Page): Promise<{ key: Uint8Array; recoveryCodes: string[] }> {
  await page.goto("/settings/security");
  await expect(heading(page)).toHaveText("Security");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const keyText = await page.getByTestId("totp-key").innerText();
  const key = decodeBase32IgnorePadding(keyText.replace(/\s/g, ""));
  await expect(page.getByRole("img", { name: "QR code of your authenticator key" }).locator("svg")).toBeVisible();
  await expectNoAxeViolations(page, { soft: true });

  await page.getByLabel("Code from the app").fill(totpCode(key));
  await page.getByRole("button", { name: "Turn on" }).click();
  await expect(page.getByRole("status").first()).toHaveText("Your authenticator app is set up.");
  const codes = await page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").allInnerTexts();
  expect(codes).toHaveLength(10);
  await expect(page.getByRole("link", { name: "Download as a text file" })).toHaveAttribute("download", "recovery-codes.txt");
  await expectNoAxeViolations(page, { soft: true });
  return { key, recoveryCodes: codes.map((code) => code.trim()) };
}

async function passwordThenSecondStep(page: Page, account: Account) {
  await submitLogin(page, account.email, account.password);
  await expect(page).toHaveURL(/\/login\/2fa(\?|$)/);
  await expect(heading(page)).toHaveText("Two-step verification");
}

async function sendCode(page: Page, code: string) {
  await page.getByLabel("Code from your authenticator app").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

test("turns on an authenticator app, then signs in with its code and with a recovery code once", async ({ page, pageProblems }) => {
  // The bad codes below are meant to be refused: 400 for a malformed code, 401 for a wrong one.
  pageProblems.allowStatus(/\/login\/2fa(\.data)?\?intent=/, 400);
  pageProblems.allowStatus(/\/login\/2fa(\.data)?\?intent=/, 401);
  const account = await createVerifiedAccount(page, "totp");
  const { key, recoveryCodes } = await enrolAuthenticatorApp(page);
  await waitForEmail(account.email, /Two-factor authentication was turned on/);
  await expect(page.getByText("10 of 10 recovery codes left.")).toBeVisible();

  await signOut(page);
  await passwordThenSecondStep(page, account);
  // Nothing but this page works while half signed in.
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?redirectTo=%2Fsettings$/);
  await passwordThenSecondStep(page, account);
  await expectNoAxeViolations(page, { soft: true });

  for (const [typed, message] of [
    ["12345", "6 digits, nothing else"],
    ["12345678901234567890", "6 digits, nothing else"],
    ["abcdef", "6 digits, nothing else"],
  ] as const) {
    await sendCode(page, typed);
    await expect(page.getByText(message)).toBeVisible();
    await expect(page).toHaveURL(/\/login\/2fa/);
  }
  const wrong = totpCode(key) === "000000" ? "000001" : "000000";
  await sendCode(page, wrong);
  await expect(page.getByText("That code is not right.")).toBeVisible();

  // The enrolment spent this step's code; the app's next one is within the allowed drift.
  await sendCode(page, totpCode(key, 1));
  await expect(page).toHaveURL(`${E2E_ORIGIN}/home`);
  await page.goto("/settings/sessions");
  await expect(page.getByRole("list", { name: "Signed-in sessions" }).getByRole("listitem").filter({ hasText: "This device" })).toContainText("Password and authenticator app");

  await signOut(page);
  await passwordThenSecondStep(page, account);
  await page.getByText("Use a recovery code").click();
  await page.getByLabel("Recovery code").fill(recoveryCodes[0]!);
  await page.getByRole("button", { name: "Use recovery code" }).click();
  await expect(page).toHaveURL(`${E2E_ORIGIN}/home`);
  await waitForEmail(account.email, /A recovery code was used to sign in/);

  await signOut(page);
  await passwordThenSecondStep(page, account);
  await page.getByText("Use a recovery code").click();
  await page.getByLabel("Recovery code").fill(recoveryCodes[0]!);
  await page.getByRole("button", { name: "Use recovery code" }).click();
  await expect(page.getByText("That recovery code is not right, or was already used.")).toBeVisible();
  await expect(page).toHaveURL(/\/login\/2fa/);
});

// WebAuthn is a browser API: these run in the JavaScript project only (the
// no-js project leaves out @needs-js, playwright.config.ts); without it the
// button is absent, which the test after this block checks.
test.describe("passkeys @needs-js", () => {

  test("adds a passkey, then signs in with it alone, and as the second factor", async ({ page }) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    // The virtual authenticator answers at once, also to /login's autofill offer (conditional UI).
    const presence = (enabled: boolean) => cdp.send("WebAuthn.setAutomaticPresenceSimulation", { authenticatorId, enabled });

    const account = await createVerifiedAccount(page, "passkey");
    await page.goto("/settings/security");
    await page.getByLabel("Name of this passkey").fill("Virtual key");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByRole("status").first()).toHaveText("Your passkey was added.");
    await expect(page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem")).toHaveCount(10);
    await expect(page.getByLabel("Name of passkey Virtual key")).toHaveValue("Virtual key");
    await waitForEmail(account.email, /Two-factor authentication was turned on/);
    await expectNoAxeViolations(page, { soft: true });

    // Signed out, /login offers the passkey in the email field's autofill; the authenticator picks it: no email, no password.
    await signOut(page);
    await page.goto("/login");
    await expect(page).toHaveURL(`${E2E_ORIGIN}/home`);
    await page.goto("/settings/sessions");
    await expect(page.getByRole("list", { name: "Signed-in sessions" }).getByRole("listitem").filter({ hasText: "This device" })).toContainText("Passkey");
    await page.goto("/settings/security");
    await expect(page.getByRole("table", { name: "Your passkeys" })).toContainText("UTC");

    // With the password, the passkey is the second factor (autofill held back while the form is typed).
    await presence(false);
    await signOut(page);
    await passwordThenSecondStep(page, account);
    await expect(page.getByLabel("Code from your authenticator app")).toHaveCount(0);
    await presence(true);
    await page.getByRole("button", { name: "Use a passkey" }).click();
    await expect(page).toHaveURL(`${E2E_ORIGIN}/home`);
    await page.goto("/settings/sessions");
    await expect(page.getByRole("list", { name: "Signed-in sessions" }).getByRole("listitem").filter({ hasText: "This device" })).toContainText("Password and passkey");
  });

  test("signs in with the passkey button alone, in a browser that offers no passkey autofill", async ({ page }) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    // Browsers without conditional UI (autofill) exist: there the button is the
    // only way in. Saying so here also keeps /login's autofill offer from
    // taking the passkey before the button is pressed, so the button is what signs in.
    await page.addInitScript(() => {
      if (window.PublicKeyCredential) window.PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    });

    await createVerifiedAccount(page, "passkey-button");
    await page.goto("/settings/security");
    await page.getByLabel("Name of this passkey").fill("Button key");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await expect(page.getByRole("status").first()).toHaveText("Your passkey was added.");

    await signOut(page);
    await page.goto("/login");
    await expect(page.getByLabel("Email")).toBeEmpty();
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page).toHaveURL(`${E2E_ORIGIN}/home`);
    await page.goto("/settings/sessions");
    // "Passkey", not "Password and passkey": no password was typed.
    await expect(page.getByRole("list", { name: "Signed-in sessions" }).getByRole("listitem").filter({ hasText: "This device" })).toContainText("Passkey");
  });

  test("shows a clear message when the passkey button finds no passkey", async ({ page }) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    // No passkey on this authenticator yet: the autofill offer has nothing to pick and the button's prompt fails cleanly.
    await page.goto("/login");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page.getByRole("alert")).toContainText(/passkey/i);
    await expect(page).toHaveURL(/\/login$/);
  });
});

test("refuses a forged passkey answer with a clear 4xx, never a 500", async ({ page }) => {
  await page.goto("/login");
  const forged = JSON.stringify({ id: "AAAA", rawId: "AAAA", type: "public-key", clientExtensionResults: {}, response: { clientDataJSON: Buffer.from('{"challenge":"nope"}').toString("base64url"), authenticatorData: "AAAA", signature: "AAAA" } });
  for (const credential of [forged, "{not json", "x".repeat(20_000)]) {
    const response = await page.request.post("/login/passkey", { form: { credential }, headers: { Origin: E2E_ORIGIN } });
    expect(response.status(), credential.slice(0, 20)).toBeGreaterThanOrEqual(400);
    expect(response.status()).toBeLessThan(500);
  }
});

test("offers no passkey button without JavaScript; the password form still works", async ({ page, javaScriptEnabled }) => {
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Log in" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toHaveCount(javaScriptEnabled ? 1 : 0);
});
