// The resilience suite (`npm run test:resilience`): faults injected into a
// running production server — the database restarted, the pool exhausted,
// SIGTERM under load, the email provider down, webhook storms, racing sign-ups.
// Kept apart from `npm test` because each test drives sustained traffic for
// seconds; CI runs both.
import { defineConfig } from "vitest/config";
import base from "./vitest.config";

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ["test/resilience/**/*.test.ts"],
    exclude: ["node_modules/**", "build/**"],
    // One file at a time: each test loads the machine on purpose.
    fileParallelism: false,
    testTimeout: 120_000,
    outputFile: { json: ".ci/out/vitest-resilience.json" },
  },
});
