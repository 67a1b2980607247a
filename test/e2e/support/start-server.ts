// Playwright's webServer: a fresh PostgreSQL database, the fake Resend API on a
// fixed port, then the production build (build/server.js) on that database,
// delivering its mail to the fake. The server migrates on start, so every run
// begins from an empty, fully migrated schema. Run `npm run build` first.
//   TEST_DATABASE_URL  admin connection (any database on the server); default in instance.ts
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { FakeResend } from "../../fakes/resend";
import { E2E_ACCOUNT_SETTINGS, E2E_ADMIN_DATABASE_URL, E2E_DATABASE_NAME, E2E_EMAIL_SETTINGS, E2E_RESEND_PORT, e2eDatabaseUrl } from "./instance";

const SERVER_ENTRY = path.resolve("build/server.js");

if (!existsSync(SERVER_ENTRY)) {
  console.error("build/server.js is missing: run `npm run build` before the e2e tests.");
  process.exit(1);
}

const admin = new pg.Client({ connectionString: E2E_ADMIN_DATABASE_URL });
try {
  await admin.connect();
  // Identifiers cannot be parameters; the name is a constant of ours.
  await admin.query(`drop database if exists "${E2E_DATABASE_NAME}" with (force)`);
  await admin.query(`create database "${E2E_DATABASE_NAME}"`);
} catch (error) {
  console.error(`Could not recreate ${E2E_DATABASE_NAME} via ${redact(E2E_ADMIN_DATABASE_URL)} (set TEST_DATABASE_URL): ${(error as Error).message}`);
  process.exit(1);
} finally {
  await admin.end().catch(() => {});
}

const resend = new FakeResend();
try {
  await resend.start(E2E_RESEND_PORT);
} catch (error) {
  console.error(`Could not start the fake Resend API on 127.0.0.1:${E2E_RESEND_PORT} (is another e2e run still going?): ${(error as Error).message}`);
  process.exit(1);
}

const child = spawn(process.execPath, [SERVER_ENTRY], {
  env: {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: e2eDatabaseUrl(),
    RUN_WORKER: "true",
    ...E2E_EMAIL_SETTINGS,
    ...E2E_ACCOUNT_SETTINGS,
  },
  stdio: "inherit",
});

// Playwright stops the web server with SIGTERM; pass it on so the server can
// drain and close its pool, then leave with the server's own exit code.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on("exit", (code, signal) => {
  void resend.stop().finally(() => process.exit(code ?? (signal ? 1 : 0)));
});

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
