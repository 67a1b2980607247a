import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) },
  },
  test: {
    include: ["app/**/*.test.{ts,tsx}", "db/**/*.test.ts", "emails/**/*.test.{ts,tsx}", "test/**/*.test.ts"],
    exclude: ["test/e2e/**", "test/resilience/**", "node_modules/**", "build/**"],
    globalSetup: ["test/setup/global-setup.ts"],
    pool: "forks",
    maxWorkers: 3,
    testTimeout: 30_000,
    // The JSON report is what .ci/run counts passes and failures from.
    reporters: ["default", "json"],
    outputFile: { json: ".ci/out/vitest.json" },
    hookTimeout: 60_000,
    // One at-rest key for every test process and every server they start
    // (test/setup/server-process.ts passes it on): a worker's database outlives
    // a test file, and rows sealed under another file's key (the OIDC signing
    // keys, read at start) would stop the next file's server from starting.
    // Test-only: 32 bytes of 0x5a, never a real secret.
    env: { SECRETS_KEY: Buffer.alloc(32, 0x5a).toString("base64") },
  },
});
