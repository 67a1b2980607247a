// `npm run screenshots`: PNGs of the main pages, desktop (1280 px) and phone
// (390 px), light and dark, in docs/screenshots/. It seeds a throwaway embedded
// database (PGlite, from the build's migrated seed) with demo data, starts the
// built server on it, and drives Debian's Chromium with Playwright. Nothing
// leaves the machine: the server runs self-hosted, its mail goes to its log.
//   SCREENSHOTS_PORT  port for the server (default 3290)
//   CHROMIUM_PATH     the browser (default /usr/bin/chromium)
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { chromium, type BrowserContext } from "@playwright/test";
import pino from "pino";
import { createDatabase, type Database } from "../app/.server/db";
import { migrateToLatest } from "../app/.server/database/migrate";
import { recordAuditEvent, type Actor } from "../app/.server/orgs/audit";
import { hashPassword } from "../app/.server/password";
import { createSession } from "../app/.server/session";

const root = path.resolve(import.meta.dirname, "..");
const OUT = path.join(root, "docs", "screenshots");
const PORT = Number(process.env.SCREENSHOTS_PORT ?? 3290);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const VIEWPORTS = { desktop: { width: 1280, height: 860 }, phone: { width: 390, height: 844 } } as const;
const THEMES = ["light", "dark"] as const;

// name, path, who looks at it (null: signed out)
const PAGES: Array<{ name: string; path: string; as: "ada" | null }> = [
  { name: "landing", path: "/", as: null },
  { name: "login", path: "/login", as: null },
  { name: "signup", path: "/signup", as: null },
  { name: "home", path: "/home", as: "ada" },
  { name: "org-members", path: "/orgs/analytical/members", as: "ada" },
  { name: "org-api-keys", path: "/orgs/analytical/api-keys", as: "ada" },
  { name: "org-audit", path: "/orgs/analytical/audit", as: "ada" },
  { name: "org-settings", path: "/orgs/analytical/settings", as: "ada" },
  { name: "settings", path: "/settings", as: "ada" },
  { name: "security", path: "/settings/security", as: "ada" },
  { name: "sessions", path: "/settings/sessions", as: "ada" },
  { name: "admin-overview", path: "/admin", as: "ada" },
  { name: "admin-user", path: "/admin/users/ADA", as: "ada" },
];

const AGENTS = {
  macChrome: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
  iphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
  windowsFirefox: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
};

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

async function seed(db: Database): Promise<{ adaId: string; adaToken: string }> {
  const password = await hashPassword(randomBytes(24).toString("base64url"));
  const people = [
    { email: "ada@example.com", name: "Ada Lovelace", operator: true, days: 40 },
    { email: "grace@example.com", name: "Grace Hopper", operator: false, days: 30 },
    { email: "alan@example.com", name: "Alan Turing", operator: false, days: 12 },
    { email: "katherine@example.com", name: "Katherine Johnson", operator: false, days: 3 },
  ];
  const ids: Record<string, string> = {};
  for (const p of people) {
    const at = minutesAgo(p.days * 1440);
    const row = await db
      .insertInto("user")
      .values({ email: p.email, name: p.name, password_hash: password, email_verified_at: at, is_operator: p.operator, created_at: at, updated_at: at })
      .returning("id")
      .executeTakeFirstOrThrow();
    ids[p.email] = row.id;
  }
  const org = await db.insertInto("org").values({ slug: "analytical", name: "Analytical Engines", plan: "enterprise", seat_limit: null }).returning("id").executeTakeFirstOrThrow();
  await db
    .insertInto("membership")
    .values([
      { org_id: org.id, user_id: ids["ada@example.com"]!, role: "owner", created_at: minutesAgo(40 * 1440) },
      { org_id: org.id, user_id: ids["grace@example.com"]!, role: "admin", created_at: minutesAgo(30 * 1440 - 50) },
      { org_id: org.id, user_id: ids["alan@example.com"]!, role: "member", created_at: minutesAgo(12 * 1440 - 90) },
    ])
    .execute();
  await db.insertInto("org").values({ slug: "difference", name: "Difference Labs", plan: "enterprise", seat_limit: null }).execute();
  await db
    .insertInto("membership")
    .values({ org_id: (await db.selectFrom("org").select("id").where("slug", "=", "difference").executeTakeFirstOrThrow()).id, user_id: ids["ada@example.com"]!, role: "member" })
    .execute();

  const keys = [
    { name: "CI deploys", prefix: "gk_7Qm2xa", used: 5 },
    { name: "Staging monitor", prefix: "gk_c81Lpe", used: 190 },
  ];
  for (const key of keys) {
    await db
      .insertInto("api_key")
      .values({ org_id: org.id, name: key.name, prefix: key.prefix, secret_hash: randomBytes(32), created_by: ids["ada@example.com"]!, created_at: minutesAgo(9000), last_used_at: minutesAgo(key.used) })
      .execute();
  }
  await db
    .insertInto("org_invitation")
    .values({ org_id: org.id, email: "margaret@example.com", role: "member", token_hash: randomBytes(32), invited_by: ids["grace@example.com"]!, expires_at: minutesAgo(-7 * 1440), created_at: minutesAgo(60) })
    .execute();

  const ada = { userId: ids["ada@example.com"]!, label: "ada@example.com" };
  const grace = { userId: ids["grace@example.com"]!, label: "grace@example.com" };
  const events: Array<[number, Actor, string, string | null, Record<string, unknown>]> = [
    [40 * 1440, ada, "org.created", "analytical", {}],
    [30 * 1440, ada, "member.invited", "grace@example.com", { role: "admin" }],
    [30 * 1440 - 50, grace, "member.joined", "grace@example.com", { role: "admin" }],
    [12 * 1440, grace, "member.invited", "alan@example.com", { role: "member" }],
    [9000, ada, "api_key.created", "gk_7Qm2xa… (CI deploys)", {}],
    [8990, ada, "api_key.created", "gk_c81Lpe… (Staging monitor)", {}],
    [3000, ada, "member.role_changed", "alan@example.com", { from: "admin", to: "member" }],
    [900, { userId: null, label: "ci-bot" }, "deploy.finished", "web@1.4.2", { commit: "9f2c1e7", duration_s: 48 }],
    [60, grace, "member.invited", "margaret@example.com", { role: "member" }],
    [20, ada, "org.renamed", "Analytical Engines", { from: "Analytical", to: "Analytical Engines" }],
  ];
  for (const [ago, actor, action, target, metadata] of events) {
    await recordAuditEvent(db, { orgId: org.id, actor, action, target, ip: "203.0.113.24", metadata, at: minutesAgo(ago) });
  }

  await db
    .insertInto("waitlist_entry")
    .values([
      { email: "wait1@example.com", name: "Mary Somerville", confirmed_at: minutesAgo(300) },
      { email: "wait2@example.com", name: "Hedy Lamarr", confirmed_at: minutesAgo(200) },
      { email: "wait3@example.com", confirmed_at: minutesAgo(100) },
    ])
    .execute();
  await db.insertInto("outbox_email").values({ template: "verify-email", to_address: "typo@exmaple.com", subject: "Confirm your email address", status: "failed", attempts: 5, max_attempts: 5, last_error: "SMTP 550: mailbox unavailable" }).execute();

  // Ada's sessions: this browser, her phone, an old laptop.
  const { token } = await createSession(db, ada.userId, { ip: "198.51.100.7", userAgent: AGENTS.macChrome });
  await createSession(db, ada.userId, { ip: "198.51.100.61", userAgent: AGENTS.iphone }, minutesAgo(2 * 1440));
  await createSession(db, ada.userId, { ip: "192.0.2.14", userAgent: AGENTS.windowsFirefox }, minutesAgo(9 * 1440));
  await db.updateTable("session").set({ last_seen_at: minutesAgo(35) }).where("user_agent", "=", AGENTS.iphone).execute();
  await db.updateTable("session").set({ last_seen_at: minutesAgo(3 * 1440) }).where("user_agent", "=", AGENTS.windowsFirefox).execute();
  return { adaId: ada.userId, adaToken: token };
}

async function startServer(dataDir: string): Promise<ChildProcess> {
  const server = spawn(process.execPath, [path.join(root, "build", "server.js")], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      PORT: String(PORT),
      HOST: "127.0.0.1",
      PUBLIC_URL: ORIGIN,
      DATA_DIR: dataDir,
      GATEHOUSE_MODE: "self-hosted",
      SIGNUP_MODE: "open",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${ORIGIN}/readyz`)).ok) return server;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  server.kill("SIGTERM");
  throw new Error("the server did not become ready within 60 s");
}

async function shoot(context: BrowserContext, page: (typeof PAGES)[number], file: string, adaId: string) {
  const tab = await context.newPage();
  const response = await tab.goto(`${ORIGIN}${page.path.replace("ADA", adaId)}`, { waitUntil: "networkidle" });
  if (!response || response.status() !== 200) throw new Error(`${page.path} answered ${response?.status()}`);
  await tab.screenshot({ path: file, animations: "disabled" });
  await tab.close();
}

async function main() {
  if (!existsSync(path.join(root, "build", "server.js"))) throw new Error("build/server.js is missing: run `npm run build` first");
  const dataDir = mkdtempSync(path.join(tmpdir(), "gatehouse-screenshots-"));
  let server: ChildProcess | undefined;
  try {
    const handle = createDatabase(
      { DATABASE_URL: undefined, DATA_DIR: dataDir, DB_POOL_MAX: 1, DB_CONNECT_TIMEOUT_MS: 5000, DB_STATEMENT_TIMEOUT_MS: 30_000 },
      { logger: pino({ level: "silent" }), pgliteSeedDir: path.join(root, "build", "pglite-seed") },
    );
    await migrateToLatest(handle.db);
    const { adaId, adaToken } = await seed(handle.db);
    await handle.close();
    // This process held the data directory's lock (released only at exit); the
    // database is closed, so the server may take it now.
    rmSync(path.join(dataDir, "gatehouse.lock"), { force: true });

    server = await startServer(dataDir);
    mkdirSync(OUT, { recursive: true });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--font-render-hinting=none"],
    });
    try {
      for (const [device, viewport] of Object.entries(VIEWPORTS)) {
        for (const theme of THEMES) {
          const context = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1, userAgent: AGENTS.macChrome, isMobile: device === "phone", hasTouch: device === "phone" });
          await context.addCookies([{ name: "gatehouse_session", value: adaToken, url: ORIGIN }]);
          const signedOut = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1, isMobile: device === "phone" });
          for (const page of PAGES) {
            const file = path.join(OUT, `${page.name}-${device}-${theme}.png`);
            await shoot(page.as ? context : signedOut, page, file, adaId);
            console.log(`wrote ${path.relative(root, file)}`);
          }
          await Promise.all([context.close(), signedOut.close()]);
        }
      }
    } finally {
      await browser.close();
    }
  } finally {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
