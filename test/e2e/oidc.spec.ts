// Signing in to the vendor's apps, in a browser with JavaScript on and off:
// the consent page (Allow and Deny) an app's sign-in leads to, and the device
// page a CLI's code leads to (Allow and Deny), each scanned with axe. The app
// is registered with the admin CLI, as a scripted install would; the CLI's
// side of the device flow is plain HTTP to the token endpoint.
import { createHash, randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import type { Page } from "@playwright/test";
import { confirmAction, createVerifiedAccount } from "./support/accounts";
import { expect, expectNoAxeViolations, test } from "./support/fixtures";
import { E2E_BUILD_DIR, E2E_ORIGIN, e2eDatabaseUrl } from "./support/instance";

const run = promisify(execFile);
const REDIRECT_URI = "http://127.0.0.1:9/callback"; // never reached: the test answers it (page.route)

async function registerApp(args: string[]): Promise<{ client_id: string; name: string }> {
  const { stdout } = await run(process.execPath, [path.join(E2E_BUILD_DIR, "admin.js"), "app", "create", ...args], {
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", LOG_LEVEL: "warn", DATABASE_URL: e2eDatabaseUrl(), PUBLIC_URL: E2E_ORIGIN },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as { client_id: string; name: string };
}

/** The app's redirect URI answers with a tiny page, so the browser can land on it. */
async function answerRedirects(page: Page) {
  await page.route(`${new URL(REDIRECT_URI).origin}/**`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>App</title><p>back in the app</p>" }));
}

function authorizationUrl(clientId: string) {
  const verifier = randomBytes(32).toString("base64url");
  const url = new URL("/oauth/auth", E2E_ORIGIN);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: REDIRECT_URI,
    scope: "openid email orgs",
    state: randomBytes(8).toString("hex"),
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
  }).toString();
  return url.href;
}

async function startDevice(clientId: string) {
  const response = await fetch(new URL("/oauth/device/auth", E2E_ORIGIN), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: clientId, scope: "openid email", hostname: "build-box-7", os: "Debian 13", cli_version: "3.1.4" }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { device_code: string; user_code: string; verification_uri_complete: string };
}

async function pollOnce(clientId: string, deviceCode: string) {
  const response = await fetch(new URL("/oauth/token", E2E_ORIGIN), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: clientId, grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: deviceCode }),
  });
  return (await response.json()) as { error?: string; access_token?: string };
}

const heading = (page: Page) => page.getByRole("heading", { level: 1 });

test("an app's sign-in asks for consent; Deny goes back to the app with access_denied, Allow with a code", async ({ page }) => {
  const project = test.info().project.name;
  await createVerifiedAccount(page, "oidc-consent", "Connie Sent", project);
  const app = await registerApp(["--name", `Vendor Web ${project}`, "--type", "native", "--redirect-uri", REDIRECT_URI]);
  await answerRedirects(page);

  await page.goto(authorizationUrl(app.client_id));
  await expect(heading(page)).toHaveText(`Allow Vendor Web ${project} to sign you in?`);
  await expect(page.getByRole("main")).toContainText("See your organizations");
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Deny" }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:9\/callback\?error=access_denied/);

  await page.goto(authorizationUrl(app.client_id));
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);

  // The app now shows in Settings → Apps and devices, and can be revoked there.
  await page.goto("/settings/apps");
  await expect(page.getByRole("cell", { name: `Vendor Web ${project}`, exact: true })).toBeVisible();
  await confirmAction(page, { name: `Revoke Vendor Web ${project}` }, "Revoke access");
  await expect(page.getByRole("status")).toContainText("Revoked");
});

test("the device page shows what asks (app, host, OS, version, IP); Deny stops the CLI, Allow signs it in", async ({ page, pageProblems }) => {
  const project = test.info().project.name;
  await createVerifiedAccount(page, "oidc-device", "Dev Ice", project);
  const app = await registerApp(["--name", `Vendor CLI ${project}`, "--public", "--grant", "device_code"]);

  // Deny, arriving from verification_uri_complete (the code filled in).
  const denied = await startDevice(app.client_id);
  await page.goto(denied.verification_uri_complete);
  await expect(heading(page)).toHaveText(`Sign in Vendor CLI ${project} on this device?`);
  for (const shown of ["build-box-7", "Debian 13", "3.1.4", "127.0.0.1", denied.user_code]) await expect(page.getByRole("main")).toContainText(shown);
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Deny" }).click();
  await expect(heading(page)).toHaveText("Sign-in denied");
  expect((await pollOnce(app.client_id, denied.device_code)).error).toBe("access_denied");

  // Allow, typing the code by hand (lower case, no dash).
  const allowed = await startDevice(app.client_id);
  await page.goto("/device");
  await expectNoAxeViolations(page);
  await page.getByLabel("Code").fill(allowed.user_code.toLowerCase().replace("-", ""));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(heading(page)).toHaveText(`Sign in Vendor CLI ${project} on this device?`);
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(heading(page)).toHaveText(`Vendor CLI ${project} is signed in`);
  expect((await pollOnce(app.client_id, allowed.device_code)).access_token).toBeTruthy();

  // The same code again: refused, clearly (400).
  pageProblems.allowStatus(/\/device(\.data)?(\?.*)?$/, 400);
  await page.goto("/device");
  await page.getByLabel("Code").fill(allowed.user_code);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("alert")).toContainText("already used");
});

test("signed out, a trusted app's sign-in goes through our login page and straight back to the app", async ({ page, newDevice }) => {
  const project = test.info().project.name;
  const account = await createVerifiedAccount(page, "oidc-trusted", "Trudy Sted", project);
  // A web app: oidc-provider always asks consent for native apps, trusted or not (RFC 8252 §8.6).
  const app = await registerApp(["--name", `Vendor Home ${project}`, "--type", "web", "--redirect-uri", REDIRECT_URI, "--trusted"]);
  const browser = await newDevice();
  await answerRedirects(browser);
  await browser.goto(authorizationUrl(app.client_id));
  await expect(heading(browser)).toHaveText("Log in");
  await browser.getByLabel("Email", { exact: true }).fill(account.email);
  await browser.getByLabel("Password", { exact: true }).fill(account.password);
  await browser.getByRole("main").getByRole("button", { name: "Log in" }).click();
  // No consent page for a trusted app: back in the app with a code.
  await expect(browser).toHaveURL(/^http:\/\/127\.0\.0\.1:9\/callback\?code=/);
});
