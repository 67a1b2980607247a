// Playwright's webServer: the fake Resend API on a fixed port, a copy of the
// production build (see E2E_BUILD_DIR), a fresh PostgreSQL database, then the
// server from that copy on that database, delivering its mail to the fake. The
// server migrates on start, so every run begins from an empty, fully migrated
// schema. Run `npm run build` first.
//   TEST_DATABASE_URL  admin connection (any database on the server); default in instance.ts
import { spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { FakeResend } from "../../fakes/resend";
import {
  E2E_ACCOUNT_SETTINGS,
  E2E_ADMIN_DATABASE_URL,
  E2E_BUILD_DIR,
  E2E_DATABASE_NAME,
  E2E_EMAIL_SETTINGS,
  E2E_RESEND_PORT,
  E2E_WAITLIST_SETTINGS,
  e2eDatabaseUrl,
} from "./instance";

const BUILD_DIR = path.resolve("build");
const STAMP = path.join(BUILD_DIR, ".stamp");
// Only the PGlite mode reads the seed; the e2e server runs on PostgreSQL.
const NOT_COPIED = new Set([path.join(BUILD_DIR, "pglite-seed")]);

if (!existsSync(path.join(BUILD_DIR, "server.js"))) {
  console.error("build/server.js is missing: run `npm run build` before the e2e tests.");
  process.exit(1);
}

// The fake's fixed port is this instance's lock: taken first, so a second run
// on the same E2E_PORT stops here, before it replaces the first one's copy of
// the build or drops its database.
const resend = new FakeResend();
try {
  await resend.start(E2E_RESEND_PORT);
} catch (error) {
  console.error(`Could not start the fake Resend API on 127.0.0.1:${E2E_RESEND_PORT} (is another e2e run still going? Set E2E_PORT to run beside it): ${(error as Error).message}`);
  process.exit(1);
}

await copyFinishedBuild();
const SERVER_ENTRY = path.join(E2E_BUILD_DIR, "server.js");

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

const child = spawn(process.execPath, [SERVER_ENTRY], {
  env: {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: e2eDatabaseUrl(),
    RUN_WORKER: "true",
    ...E2E_EMAIL_SETTINGS,
    ...E2E_ACCOUNT_SETTINGS,
    ...E2E_WAITLIST_SETTINGS,
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

/**
 * Copies build/ once no build is writing to it. `npm run build` rewrites the
 * tree and writes build/.stamp last, so a finished build is one where nothing
 * (file or directory) is newer than the stamp, before and after the copy.
 */
async function copyFinishedBuild(): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const stamp = finishedBuildStamp();
    if (stamp !== null) {
      rmSync(E2E_BUILD_DIR, { recursive: true, force: true });
      let copied = true;
      try {
        cpSync(BUILD_DIR, E2E_BUILD_DIR, { recursive: true, filter: (source) => !NOT_COPIED.has(source) });
      } catch {
        copied = false; // a file went away under the copy: a build started
      }
      if (copied && finishedBuildStamp() === stamp) {
        console.log(`e2e: serving a copy of the build of ${stamp} from ${path.relative(process.cwd(), E2E_BUILD_DIR)}`);
        return;
      }
    }
    if (Date.now() > deadline) {
      console.error("build/ is still being written (or has no .stamp): finish `npm run build`, then run the e2e tests again.");
      process.exit(1);
    }
    await sleep(2_000);
  }
}

function finishedBuildStamp(): string | null {
  if (!existsSync(STAMP)) return null;
  const stampTime = statSync(STAMP).mtimeMs;
  const newerThanStamp = (entry: string): boolean => {
    if (NOT_COPIED.has(entry) || entry === STAMP) return false;
    const stat = statSync(entry, { throwIfNoEntry: false });
    if (!stat) return true; // removed while we looked: a build is running
    if (stat.mtimeMs > stampTime) return true;
    return stat.isDirectory() && readdirSync(entry).some((name) => newerThanStamp(path.join(entry, name)));
  };
  if (newerThanStamp(BUILD_DIR)) return null;
  return readFileSync(STAMP, "utf8").trim();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
