// What the specs do outside the browser, as the people running the
// installation would: the admin CLI of the build under test, and (for what no
// page can do yet in this suite) a direct change to the e2e database.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { E2E_BUILD_DIR, e2eDatabaseUrl } from "./instance";

const run = promisify(execFile);

/** `node build/admin.js grant <email>`, against the e2e server's database; returns what it printed. */
export async function grantOperator(email: string): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(E2E_BUILD_DIR, "admin.js"), "grant", email], {
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", LOG_LEVEL: "warn", DATABASE_URL: e2eDatabaseUrl() },
    timeout: 60_000,
  });
  return stdout;
}

/**
 * Puts an org on a plan, as a finished purchase would. The e2e server runs in
 * hosted mode without LemonSqueezy settings, so its orgs start (and stay) on
 * Solo; the Team plan's features need this. Billing has its own tests.
 */
export async function setOrgPlan(slug: string, plan: "team" | "enterprise"): Promise<void> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query("update org set plan = $1, seat_limit = null where slug = $2", [plan, slug]);
    if (rowCount !== 1) throw new Error(`no org /orgs/${slug} in the e2e database`);
  } finally {
    await client.end();
  }
}

/**
 * Marks a claimed SSO domain verified. In hosted mode (the e2e server's) a
 * page proves it with a DNS TXT record, which this suite cannot publish.
 */
export async function markSsoDomainVerified(domain: string): Promise<void> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    const { rowCount } = await client.query("update sso_domain set verified_at = now() where domain = $1", [domain]);
    if (rowCount !== 1) throw new Error(`no claimed domain ${domain} in the e2e database`);
  } finally {
    await client.end();
  }
}
