// `npm run bench`: the production build against a real PostgreSQL, loaded by
// autocannon from this (second) process. Every headline figure is a ratio taken
// in this run against the same server's static /privacy page, so runs on
// different machines compare. Writes .bench/<time>.json. Fails only on a crash
// or on errors, never on a number.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { verify as argon2Verify, hash as argon2Hash } from "@node-rs/argon2";
import autocannon from "autocannon";
import { PGLITE_EXTENSIONS } from "../../app/.server/database/pglite";
import { PASSWORD_HASH_CONCURRENCY, PASSWORD_HASH_QUEUE_LIMIT } from "../../app/.server/password-hasher";
import { hashToken } from "../../app/.server/tokens";
import { randomBytes } from "node:crypto";
import { createOrgWithCheckout } from "../factories/billing";
import { FakeLemonSqueezy, lemonSqueezyServerOptions, TEST_BILLING_ENV, type SignedWebhook } from "../fakes/lemonsqueezy";
import { ADMIN_URL, connect, databaseUrl, recreateDatabase } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";
import { waitlistStampMinter } from "../setup/waitlist-stamps";
import { CONNECTIONS, DURATION_S, interleaved, load, nextIp, PASSWORD, ratio, type BenchReport, type BenchScenario, type BenchTarget, type Scenario } from "./harness";
import { LANDING_JS_BUDGET_KB, landingPageJs } from "./js-budget";
import { benchAuditChain } from "./audit-chain";
import { benchEventDelivery } from "./event-delivery";
import { oidcRefreshGrants } from "./oidc-refresh-grants";
import { oidcUserinfo } from "./oidc-userinfo";
import { totpSignIn } from "./totp-sign-in";

// Scenarios kept in their own files, one line each; they run on the
// PostgreSQL server after the ones below, once its webhook backlog is applied.
const SCENARIOS: BenchScenario[] = [
  totpSignIn,
  oidcRefreshGrants,
  oidcUserinfo,
];

const HASHER_CAPACITY = PASSWORD_HASH_CONCURRENCY + PASSWORD_HASH_QUEUE_LIMIT;
const SESSION_TOKEN = "benchsessionid0000000000000000.benchsessionsecret00000000000000";
// The server and this process share the at-rest key, so scenarios can seed encrypted secrets.
const SECRETS_KEY = randomBytes(32);
// A bench loads the machine it runs on, often with others: PGlite's first start
// (creating its data directory) took 24 s at a load average of 28 here, past
// the 30 s the tests allow a server once the bench's own load is added.
const START_TIMEOUT_MS = 180_000;

/** Raw argon2id verifications/s on this machine, 2 at a time like the server's pool. */
async function argon2Rate(): Promise<number> {
  const hash = await argon2Hash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  let done = 0;
  const until = Date.now() + 4000;
  await Promise.all(
    [0, 1].map(async () => {
      while (Date.now() < until) {
        await argon2Verify(hash, PASSWORD);
        done++;
      }
    }),
  );
  return Math.round(done / 4);
}

/** Users (and one known session) inserted directly, so the bench measures requests, not setup. */
async function seedUsers(run: (query: string, params: unknown[]) => Promise<unknown>, count: number) {
  const hash = await argon2Hash(PASSWORD, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 });
  for (let i = 0; i < count; i++) {
    await run(`insert into "user" (email, password_hash, name, email_verified_at) values ($1, $2, $3, now())`, [`bench${i}@example.com`, hash, `Bench ${i}`]);
  }
  const [id, secret] = SESSION_TOKEN.split(".");
  await run(
    `insert into session (id, secret_hash, user_id, created_at, last_seen_at, expires_at, absolute_expires_at, ip, user_agent)
     select $1, $2, id, now(), now(), now() + interval '30 days', now() + interval '90 days', '127.0.0.1', 'bench' from "user" where email = 'bench0@example.com'`,
    [id, hashToken(secret!)],
  );
}

function peakRssMb(server: ServerProcess): number {
  try {
    const status = readFileSync(`/proc/${server.child.pid}/status`, "utf8");
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/**
 * Signed subscription_updated events, each a distinct change to one of `orgs`
 * real subscriptions (so the server's worker applies them, not skips them).
 */
async function seedWebhooks(url: string, orgs: number, events: number): Promise<SignedWebhook[]> {
  const db = connect(url);
  const store = new FakeLemonSqueezy(); // only its event builder: nothing listens
  const subscriptions: string[] = [];
  for (let i = 0; i < orgs; i++) {
    const org = await createOrgWithCheckout(db, { slug: `bench-org-${i}` });
    subscriptions.push(store.createSubscription({ customData: org.customData }).id);
  }
  await db.destroy();
  return Array.from({ length: events }, (_, i) => {
    const id = subscriptions[i % orgs]!;
    store.updateSubscription(id, { quantity: 5 + (i % 7), status: i % 5 === 0 ? "past_due" : "active" });
    return store.subscriptionWebhook("subscription_updated", id);
  });
}

async function benchServer(label: string, server: ServerProcess, databaseUrl: string, users: number, webhooks: SignedWebhook[]) {
  const url = server.url;
  const origin = `http://localhost:${server.port}`;
  const cookie = `gatehouse_session=${SESSION_TOKEN}`;
  console.log(`\n${label}`);
  // A short unmeasured run first, so the floor is not also measuring JIT warm-up.
  await autocannon({ connections: CONNECTIONS, duration: 2, url: `${url}/settings`, headers: { cookie } });
  // A stamp admits one join, and viewing the form once per join would bench the page too.
  const stamp = await waitlistStampMinter(url, databaseUrl);
  let joins = 0;
  const [privacy, settings] = await interleaved([
    ["GET /privacy (floor)", { url: `${url}/privacy` }],
    ["GET /settings (signed in)", { url: `${url}/settings`, headers: { cookie } }],
  ]);
  // Not interleaved: each join queues an email, which the server's worker then
  // sends, and that work would land in whichever turn came next.
  const waitlist = await load("POST /waitlist", {
    url: `${url}/waitlist`,
    method: "POST",
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, "content-type": "application/x-www-form-urlencoded", origin, "x-forwarded-for": nextIp() },
          body: new URLSearchParams({ email: `bench-${label.length}-${process.pid}-${++joins}@example.com`, name: "Bench", company: "", website: "", startedAt: stamp() }).toString(),
        }),
      },
    ],
  });

  let logins = 0;
  const loginOptions = (connections: number): autocannon.Options => ({
    url: `${url}/login`,
    method: "POST",
    connections,
    requests: [
      {
        setupRequest: (request) => ({
          ...request,
          headers: { ...request.headers, "content-type": "application/x-www-form-urlencoded", origin, "x-forwarded-for": nextIp() },
          // Spread over many accounts: each account allows 10 tries per 15 minutes.
          body: new URLSearchParams({ email: `bench${++logins % users}@example.com`, password: PASSWORD, redirectTo: "/settings" }).toString(),
        }),
      },
    ],
  });
  // As many clients as the hasher holds (2 hashing + 32 waiting), then the
  // usual 50: the 16 more are refused with 429 as fast as they come back.
  const loginAtCapacity = await load(`POST /login (${HASHER_CAPACITY} connections)`, loginOptions(HASHER_CAPACITY));

  // Last: at 50 connections the hashing queue overflows (429s), which would spill into a following run.
  const login = await load("POST /login", loginOptions(CONNECTIONS));

  let delivered = 0;
  const webhookIngest = await load("POST /webhooks/lemonsqueezy", {
    url: `${url}/webhooks/lemonsqueezy`,
    method: "POST",
    requests: [
      {
        setupRequest: (request) => {
          // Past the end of the list (a very fast machine), events repeat: duplicates are acknowledged too.
          const webhook = webhooks[delivered++ % webhooks.length]!;
          return { ...request, headers: { ...request.headers, "content-type": "application/json", "x-signature": webhook.signature }, body: webhook.body };
        },
      },
    ],
  });
  return { privacy, settings, waitlist, loginAtCapacity, login, webhookIngest, peakRssMb: peakRssMb(server) };
}

async function main() {
  const common = { SECRETS_KEY: SECRETS_KEY.toString("base64"), TRUST_PROXY: "loopback", LOG_LEVEL: "warn", WAITLIST_MIN_FILL_MS: "0", RUN_WORKER: "true", EMAIL_RATE_PER_SECOND: "0", DB_POOL_MAX: "20" };
  const users = 500;

  console.log(`Gatehouse bench: ${CONNECTIONS} connections, ${DURATION_S} s per scenario, node ${process.version}`);
  // From the build alone: what a browser downloads to show the landing page.
  const landingJs = landingPageJs();
  console.log(`landing page client JS: ${landingJs.gzipKb} KB gzip (${landingJs.rawKb} KB raw, ${landingJs.files} files); budget ${LANDING_JS_BUDGET_KB} KB gzip`);
  const argon2PerSecond = await argon2Rate();
  console.log(`raw argon2id verifications/s (2 at a time): ${argon2PerSecond}`);

  // PostgreSQL
  const admin = connect<unknown>(ADMIN_URL);
  // BENCH_DATABASE keeps runs of several checkouts on one PostgreSQL apart.
  const benchDatabase = process.env.BENCH_DATABASE ?? "gatehouse_bench";
  await recreateDatabase(admin, benchDatabase);
  const pgUrl = databaseUrl(benchDatabase);
  // Hosted, so that the LemonSqueezy webhook endpoint and its worker exist; the
  // SDK is pointed at a fake that is never asked anything during the bench.
  const lemonSqueezy = new FakeLemonSqueezy();
  const billing = lemonSqueezyServerOptions(await lemonSqueezy.start());
  const hosted = { GATEHOUSE_MODE: "hosted", OPERATOR_NAME: "Bench Hosting", OPERATOR_EMAIL: "privacy@bench.example", ...TEST_BILLING_ENV, ...billing.env };
  let server = await startServer({ ...common, ...hosted, DATABASE_URL: pgUrl }, { nodeArgs: billing.nodeArgs, startTimeoutMs: START_TIMEOUT_MS });
  await seedWithPg(pgUrl, users);
  const webhooks = await seedWebhooks(pgUrl, 100, 12_000);
  const onPostgres = await benchServer("PostgreSQL", server, pgUrl, users, webhooks);
  const webhookApply = await drainWebhooks(pgUrl);
  const target: BenchTarget = { url: server.url, origin: `http://localhost:${server.port}`, databaseUrl: pgUrl, secretsKey: SECRETS_KEY, floorRps: onPostgres.privacy.rps };
  const reports: Array<BenchReport & { name: string }> = [];
  for (const scenario of SCENARIOS) {
    console.log(`\nPostgreSQL: ${scenario.name}`);
    reports.push({ name: scenario.name, ...(await scenario.run(target)) });
  }
  await server.stop();
  const auditChain = await benchAuditChain(pgUrl, { ...common, RUN_WORKER: "false" }, { seconds: DURATION_S, connections: CONNECTIONS });
  await benchEventDelivery();
  await lemonSqueezy.stop();
  await admin.destroy();

  // Embedded PGlite: start once to create the data directory, seed it, start again.
  const dataDir = mkdtempSync(path.join(tmpdir(), "gatehouse-bench-"));
  server = await startServer({ ...common, DATA_DIR: dataDir }, { startTimeoutMs: START_TIMEOUT_MS });
  await server.stop();
  const pglite = await PGlite.create({ dataDir, extensions: PGLITE_EXTENSIONS });
  await seedUsers((query, params) => pglite.query(query, params), 50);
  await pglite.close();
  server = await startServer({ ...common, DATA_DIR: dataDir }, { startTimeoutMs: START_TIMEOUT_MS });
  console.log("\nPGlite");
  await autocannon({ connections: CONNECTIONS, duration: 2, url: `${server.url}/privacy` }); // warm-up, unmeasured
  const [pglitePrivacy, pgliteSettings] = await interleaved([
    ["GET /privacy (floor)", { url: `${server.url}/privacy` }],
    ["GET /settings (signed in)", { url: `${server.url}/settings`, headers: { cookie: `gatehouse_session=${SESSION_TOKEN}` } }],
  ]);
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const signedInPerSecond = (scenario: Scenario) => Math.round((scenario.statuses["302"] ?? 0) / DURATION_S);
  const loginsPerSecond = signedInPerSecond(onPostgres.login);
  const rows: Array<[string, number, string]> = [
    ["/settings (signed in) vs /privacy", ratio(onPostgres.settings.rps, onPostgres.privacy.rps), "≥ 0.8"],
    ["POST /waitlist vs /privacy", ratio(onPostgres.waitlist.rps, onPostgres.privacy.rps), "≥ 0.6"],
    // Successes only: at 50 connections the hashing queue (2 running + 32
    // waiting) is full, and the rest are refused at once with 429.
    [`POST /login signed in (302) per s vs raw argon2id verifications/s, ${HASHER_CAPACITY} connections`, ratio(signedInPerSecond(onPostgres.loginAtCapacity), argon2PerSecond), "≥ 0.8"],
    ["the same at 50 connections", ratio(loginsPerSecond, argon2PerSecond), "≥ 0.8"],
    ["webhook ingest (signed subscription_updated) vs /privacy", ratio(onPostgres.webhookIngest.rps, onPostgres.privacy.rps), "(record)"],
    ["/settings on PGlite vs on PostgreSQL", ratio(pgliteSettings.rps, onPostgres.settings.rps), "(record)"],
    ...reports.flatMap((report) => report.ratios),
  ];
  console.log("\n| ratio (same run) | value | target |\n|---|---|---|");
  for (const [name, value, target] of rows) console.log(`| ${name} | ${value} | ${target} |`);
  console.log(`\nlanding page client JS: ${landingJs.gzipKb} KB gzip (budget ${LANDING_JS_BUDGET_KB} KB)`);
  console.log("\n| scenario | req/s | p50 ms | p97.5 ms | p99 ms | errors | non-2xx |\n|---|---|---|---|---|---|---|");
  for (const s of [onPostgres.privacy, onPostgres.settings, onPostgres.waitlist, onPostgres.loginAtCapacity, onPostgres.login, onPostgres.webhookIngest, ...reports.flatMap((report) => report.scenarios), { ...pglitePrivacy, name: "PGlite " + pglitePrivacy.name }, { ...pgliteSettings, name: "PGlite " + pgliteSettings.name }]) {
    console.log(`| ${s.name} | ${s.rps} | ${s.p50} | ${s.p95} | ${s.p99} | ${s.errors} | ${s.non2xx} |`);
  }
  console.log("");
  for (const line of reports.flatMap((report) => report.lines)) console.log(line);
  console.log(`successful logins/s: ${loginsPerSecond} (of ${onPostgres.login.rps} answered/s); raw argon2id verifications/s: ${argon2PerSecond}; server peak RSS on PostgreSQL: ${onPostgres.peakRssMb} MB`);
  console.log(`webhooks applied by the server's own worker after ingest: ${webhookApply.appliedPerSecond}/s (${webhookApply.waitingAtEndOfIngest} waiting)`);

  mkdirSync(".bench", { recursive: true });
  const file = `.bench/${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, durationSeconds: DURATION_S, connections: CONNECTIONS, argon2PerSecond, onPostgres, webhookApply, auditChain, pglite: { privacy: pglitePrivacy, settings: pgliteSettings }, scenarios: Object.fromEntries(reports.map((report) => [report.name, report.data])), ratios: rows, landingJs }, null, 2));
  console.log(`results written to ${file}`);

  // Login answers 302 (success) by design, so only its transport errors count.
  const failures = [onPostgres.privacy, onPostgres.settings, onPostgres.waitlist, onPostgres.webhookIngest, pglitePrivacy, pgliteSettings].reduce((n, s) => n + s.errors + s.non2xx, 0) + onPostgres.login.errors + onPostgres.loginAtCapacity.errors + (webhookApply.outcomes.failed ?? 0) + reports.reduce((n, report) => n + report.failures, 0) + auditChain.failures;
  if (failures > 0) {
    console.error(`${failures} requests failed (a transport error, or an answer other than 2xx where every answer should be 2xx)`);
    process.exit(1);
  }
}

/**
 * Under full load the server's in-process worker gets few turns at the shared
 * pool, so most events are still waiting when ingest stops. This measures how
 * fast that worker then applies them (up to 60 s), and how they end.
 */
async function drainWebhooks(url: string) {
  const pool = new (await import("pg")).default.Pool({ connectionString: url });
  const count = async () => {
    const { rows } = await pool.query<{ status: string; n: string }>("select status, count(*) as n from webhook_event group by status");
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Record<string, number>;
  };
  const waiting = (c: Record<string, number>) => (c.pending ?? 0) + (c.processing ?? 0);
  const atStart = await count();
  const started = performance.now();
  let now = atStart;
  while (waiting(now) > 0 && performance.now() - started < 60_000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    now = await count();
  }
  await pool.end();
  const seconds = (performance.now() - started) / 1000;
  const appliedPerSecond = Math.round((waiting(atStart) - waiting(now)) / seconds);
  console.log(`  webhook events waiting when ingest stopped: ${waiting(atStart)}; then applied by the server's worker at ${appliedPerSecond}/s; final: ${JSON.stringify(now)}`);
  return { waitingAtEndOfIngest: waiting(atStart), appliedPerSecond, outcomes: now };
}

async function seedWithPg(url: string, users: number) {
  const pool = new (await import("pg")).default.Pool({ connectionString: url });
  await seedUsers((query, params) => pool.query(query, params as unknown[]), users);
  await pool.end();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
