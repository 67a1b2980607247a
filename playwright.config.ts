// End-to-end tests: Debian's Chromium (Playwright's own browsers cannot be
// downloaded here) drives the production build, once with JavaScript and once
// without, because every page and form must work in both.
import { defineConfig, type PlaywrightTestConfig } from "@playwright/test";
import { E2E_ORIGIN, E2E_PORT, E2E_SETTINGS } from "./test/e2e/support/instance";

const OUTPUT_SUFFIX = process.env.E2E_PORT ? `-${E2E_PORT}` : "";

const chromium = {
  browserName: "chromium",
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  },
} satisfies NonNullable<PlaywrightTestConfig["use"]>;

export default defineConfig({
  testDir: "test/e2e",
  // A 2-core machine: the browser and the server share it.
  workers: 2,
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The account journeys sign up, wait for the server's mail worker and hash
  // passwords (argon2id) on a shared 2-core machine: generous, never tight.
  timeout: 90_000,
  expect: { timeout: 10_000 },
  // Playwright empties outputDir when a run starts: a run on its own E2E_PORT
  // (beside another in the same checkout) keeps its results apart.
  reporter: [["list"], ["json", { outputFile: `.ci/out/playwright${OUTPUT_SUFFIX}.json` }]],
  outputDir: `.ci/out/playwright-results${OUTPUT_SUFFIX}`,
  use: {
    baseURL: E2E_ORIGIN,
    trace: "retain-on-failure",
  },
  projects: [
    { name: "js", use: { ...chromium, javaScriptEnabled: true } },
    // Tests tagged @needs-js exercise browser APIs (WebAuthn) that do not exist
    // without JavaScript; their no-JS counterparts are separate tests.
    { name: "no-js", use: { ...chromium, javaScriptEnabled: false }, grepInvert: /@needs-js/ },
  ],
  webServer: {
    command: "node --import tsx test/e2e/support/start-server.ts",
    url: `${E2E_ORIGIN}/readyz`,
    reuseExistingServer: false,
    // Includes waiting for a `npm run build` that is still writing build/ (see start-server.ts).
    timeout: 150_000,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    env: {
      PORT: String(E2E_PORT),
      HOST: "127.0.0.1",
      // Must be the origin the browser uses: the CSRF check compares against it.
      PUBLIC_URL: E2E_ORIGIN,
      LOG_LEVEL: "warn",
      ...E2E_SETTINGS,
    },
  },
});
