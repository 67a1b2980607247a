// What every `npm run bench` scenario shares: the load generator's settings,
// the figures one autocannon run yields, and the contract of a scenario kept
// in its own file (registered with one line in run.ts).
import autocannon from "autocannon";

export const DURATION_S = Number(process.env.BENCH_SECONDS ?? 8);
export const CONNECTIONS = 50;
export const PASSWORD = "bench password that is long enough";

export type Scenario = { name: string; rps: number; p50: number; p95: number; p99: number; errors: number; non2xx: number; statuses: Record<string, number> };

export async function load(name: string, options: autocannon.Options, durationSeconds = DURATION_S): Promise<Scenario> {
  const result = await autocannon({ connections: CONNECTIONS, duration: durationSeconds, ...options });
  const scenario = {
    name,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p95: result.latency.p97_5 ?? result.latency.p90,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat?.count ?? 0])),
  };
  console.log(`  ${name}: ${scenario.rps} req/s, p50 ${scenario.p50} ms, p99 ${scenario.p99} ms, errors ${scenario.errors}, statuses ${JSON.stringify(scenario.statuses)}`);
  return scenario;
}

/**
 * Runs scenarios in turns (A B C, A B C, A B C) rather than one after another,
 * so that a slow patch of this shared machine weighs on all of them alike, and
 * keeps each one's median turn. The ratios between them are the point.
 */
export async function interleaved<T extends Array<[name: string, options: autocannon.Options]>>(scenarios: [...T], turns = 3): Promise<{ [K in keyof T]: Scenario }> {
  const seconds = Math.max(2, Math.round(DURATION_S / turns));
  const results: Scenario[][] = scenarios.map(() => []);
  for (let turn = 0; turn < turns; turn++) {
    for (const [i, [name, options]] of scenarios.entries()) results[i]!.push(await load(`${name} (turn ${turn + 1})`, options, seconds));
  }
  return results.map((runs, i) => ({ ...runs.sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!, name: scenarios[i]![0] })) as { [K in keyof T]: Scenario };
}

/** A response header from autocannon's raw headers, whatever the case the server wrote its name in. */
export function header(headers: unknown, name: string): string | string[] | undefined {
  const entry = Object.entries(headers as Record<string, string | string[]>).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

let ip = 0;
/** Limits are per client IP; the bench plays many clients through a trusted proxy (TRUST_PROXY=loopback). */
export const nextIp = () => `10.${(++ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`;

export type BenchTarget = {
  /** The running production server (PostgreSQL), e.g. http://127.0.0.1:PORT. */
  url: string;
  /** Its PUBLIC_URL origin, which same-origin form posts send as Origin. */
  origin: string;
  databaseUrl: string;
  /** The at-rest key the server was started with (SECRETS_KEY), for seeding encrypted secrets. */
  secretsKey: Buffer;
  /** GET /privacy req/s on this server in this run: the floor headline figures are compared with. */
  floorRps: number;
};

export type BenchReport = {
  /** Rows of the ratio table: [what, value, target]. */
  ratios: Array<[string, number, string]>;
  /** Rows of the scenario table. */
  scenarios: Scenario[];
  /** Headline figures, printed as they are at the end of the run. */
  lines: string[];
  /** Requests that failed where every answer should have succeeded. */
  failures: number;
  /** Written to the run's JSON file. */
  data: Record<string, unknown>;
};

/** A scenario in its own file: seeds what it needs on the bench server, loads it, reports. */
export type BenchScenario = { name: string; run(target: BenchTarget): Promise<BenchReport> };

export const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 100) / 100 : 0);
