// Playwright's webServer: a fresh PostgreSQL database, then the production build
// (build/server.js) on it. The server migrates on start, so every run begins from
// an empty, fully migrated schema. Run `npm run build` first.
//   TEST_DATABASE_URL  admin connection (any database on the server); default below
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { E2E_DATABASE_NAME } from "./instance";

const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SERVER_ENTRY = path.resolve("build/server.js");

if (!existsSync(SERVER_ENTRY)) {
  console.error("build/server.js is missing: run `npm run build` before the e2e tests.");
  process.exit(1);
}

const admin = new pg.Client({ connectionString: ADMIN_URL });
try {
  await admin.connect();
  // Identifiers cannot be parameters; the name is a constant of ours.
  await admin.query(`drop database if exists "${E2E_DATABASE_NAME}" with (force)`);
  await admin.query(`create database "${E2E_DATABASE_NAME}"`);
} catch (error) {
  console.error(`Could not recreate ${E2E_DATABASE_NAME} via ${redact(ADMIN_URL)} (set TEST_DATABASE_URL): ${(error as Error).message}`);
  process.exit(1);
} finally {
  await admin.end().catch(() => {});
}

const databaseUrl = new URL(ADMIN_URL);
databaseUrl.pathname = `/${E2E_DATABASE_NAME}`;

const child = spawn(process.execPath, [SERVER_ENTRY], {
  env: { ...process.env, NODE_ENV: "production", DATABASE_URL: databaseUrl.toString() },
  stdio: "inherit",
});

// Playwright stops the web server with SIGTERM; pass it on so the server can
// drain and close its pool, then leave with the server's own exit code.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
