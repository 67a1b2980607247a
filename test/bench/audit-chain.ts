// `npm run bench` (registered in run.ts): the cost of the audit hash chain on
// POST /api/v1/audit-events. One server, one run, three loads interleaved:
//
// - an org whose events are stored the way they were before the chain (a
//   plain INSERT): the server is started with GATEHOUSE_BENCH_UNCHAINED_AUDIT_ORG
//   naming it, a switch that exists for this measurement only;
// - one chained org taking every request (the worst case: each append waits
//   for the one before it to commit, since they share the org's chain row);
// - chained appends spread over 20 orgs (what many customers pushing at once
//   look like: their chains do not wait for each other).
//
// Then `audit:verify` (the built CLI) recomputes the busiest chain, which
// gives the verification rate in events/s and proves the appends made under
// load form one intact chain.
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import { hashToken } from "../../app/.server/tokens";
import { connect } from "../setup/databases";
import { startServer } from "../setup/server-process";

const SPREAD_ORGS = 20;

type Load = { name: string; rps: number; p50: number; p99: number; errors: number; non2xx: number };

async function seedOrgs(url: string, unchainedOrgId: string) {
  const db = connect(url);
  const owner = await db.insertInto("user").values({ email: "bench-audit@example.com", password_hash: "x", name: "Bench" }).returning("id").executeTakeFirstOrThrow();
  const keys: Record<string, string> = {};
  const orgs = [
    { id: unchainedOrgId, slug: "bench-unchained" },
    { id: randomUUID(), slug: "bench-chained" },
    ...Array.from({ length: SPREAD_ORGS }, (_, i) => ({ id: randomUUID(), slug: `bench-spread-${i}` })),
  ];
  for (const org of orgs) {
    await db.insertInto("org").values({ id: org.id, slug: org.slug, name: org.slug, plan: "enterprise" }).execute();
    await db.insertInto("membership").values({ org_id: org.id, user_id: owner.id, role: "owner" }).execute();
    // Written straight to the table (not createApiKey): no audit event from this process, whose SECRETS_KEY is not the server's.
    const key = `gk_${randomBytes(20).toString("hex")}`;
    await db.insertInto("api_key").values({ org_id: org.id, name: "bench", prefix: key.slice(0, 11), secret_hash: hashToken(key), created_by: owner.id }).execute();
    keys[org.slug] = key;
  }
  await db.destroy();
  return keys;
}

const body = (i: number) => JSON.stringify({ action: "deploy.finished", target: `web@1.${i}`, actor: "ci-bot", metadata: { build: i, region: "eu-west" } });

async function load(name: string, url: string, keyFor: (i: number) => string, seconds: number, connections: number): Promise<Load> {
  let n = 0;
  const result = await autocannon({
    url: `${url}/api/v1/audit-events`,
    method: "POST",
    connections,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, "content-type": "application/json", authorization: `Bearer ${keyFor(++n)}` }, body: body(n) }) }],
  });
  const scenario = { name, rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx };
  console.log(`  ${name}: ${scenario.rps} req/s, p50 ${scenario.p50} ms, p99 ${scenario.p99} ms, errors ${scenario.errors}, non-2xx ${scenario.non2xx}`);
  return scenario;
}

/** Runs the three loads in turns and keeps each one's median turn; then verifies the one-org chain. */
export async function benchAuditChain(url: string, env: Record<string, string>, options: { seconds: number; connections: number; turns?: number }) {
  console.log("\nAudit hash chain: POST /api/v1/audit-events");
  const unchainedOrgId = randomUUID();
  const server = await startServer({ ...env, DATABASE_URL: url, GATEHOUSE_BENCH_UNCHAINED_AUDIT_ORG: unchainedOrgId });
  try {
    const keys = await seedOrgs(url, unchainedOrgId);
    const turns = options.turns ?? 3;
    const seconds = Math.max(2, Math.round(options.seconds / turns));
    const scenarios: Array<[string, (i: number) => string]> = [
      ["unchained org (plain insert, as before the chain)", () => keys["bench-unchained"]!],
      ["chained, every request to one org", () => keys["bench-chained"]!],
      [`chained, spread over ${SPREAD_ORGS} orgs`, (i) => keys[`bench-spread-${i % SPREAD_ORGS}`]!],
    ];
    const runs: Load[][] = scenarios.map(() => []);
    await load("warm-up", server.url, scenarios[0]![1], 2, options.connections);
    for (let turn = 0; turn < turns; turn++) {
      for (const [i, [name, keyFor]] of scenarios.entries()) runs[i]!.push(await load(`${name} (turn ${turn + 1})`, server.url, keyFor, seconds, options.connections));
    }
    const [plain, oneOrg, spread] = runs.map((r, i) => ({ ...r.sort((a, b) => a.rps - b.rps)[Math.floor(r.length / 2)]!, name: scenarios[i]![0] })) as [Load, Load, Load];

    const verify = spawnSync(process.execPath, [path.resolve("build/admin.js"), "audit-verify", "--org", "bench-chained"], {
      env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", LOG_LEVEL: "warn", ...env, DATABASE_URL: url },
      encoding: "utf8",
      timeout: 600_000,
    });
    const report = JSON.parse(verify.stdout || verify.stderr) as { ok: boolean; checked: number; seconds: number };
    const verifyPerSecond = Math.round(report.checked / Math.max(report.seconds, 0.001));
    const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 100) / 100 : 0);
    console.log("\n| POST /api/v1/audit-events | req/s | p50 ms | p99 ms | vs unchained |\n|---|---|---|---|---|");
    for (const s of [plain, oneOrg, spread]) console.log(`| ${s.name} | ${s.rps} | ${s.p50} | ${s.p99} | ${ratio(s.rps, plain.rps)} |`);
    console.log(`audit:verify of the one-org chain: ${report.ok ? "OK" : "FAILED"}, ${report.checked} events in ${report.seconds} s (${verifyPerSecond} events/s)`);
    const failures = [plain, oneOrg, spread].reduce((n, s) => n + s.errors + s.non2xx, 0) + (report.ok ? 0 : 1);
    return { plain, oneOrg, spread, chainedVsPlain: ratio(oneOrg.rps, plain.rps), spreadVsPlain: ratio(spread.rps, plain.rps), verify: { ...report, perSecond: verifyPerSecond }, failures };
  } finally {
    await server.stop();
  }
}

// Alone, without the rest of the bench (after `npm run build`):
//   npx tsx test/bench/audit-chain.ts
if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const { ADMIN_URL, databaseUrl, recreateDatabase } = await import("../setup/databases");
  const admin = connect<unknown>(ADMIN_URL);
  await recreateDatabase(admin, "gatehouse_bench_chain");
  await admin.destroy();
  const env = { SECRETS_KEY: randomBytes(32).toString("base64"), LOG_LEVEL: "warn", RUN_WORKER: "false", DB_POOL_MAX: "20" };
  const result = await benchAuditChain(databaseUrl("gatehouse_bench_chain"), env, { seconds: Number(process.env.BENCH_SECONDS ?? 8), connections: 50 });
  process.exit(result.failures > 0 ? 1 : 0);
}
