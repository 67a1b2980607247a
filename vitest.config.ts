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
  },
});
