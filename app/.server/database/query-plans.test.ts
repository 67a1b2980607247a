// The queries that run on every request or every worker tick must be served by
// an index, not a scan of the whole table: fine with ten rows, a slow page and
// a busy database with a million. Each hot path below is run for real against
// PostgreSQL while its statements are recorded; each recorded read, update and
// delete is then EXPLAINed with sequential scans disabled, which the planner
// only falls back on when no index can serve the query.
import { randomUUID } from "node:crypto";
import { Kysely, PostgresDialect, sql, type CompiledQuery } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../../db/schema";
import { createTestOrg, actorOf } from "../../../test/factories/orgs";
import { createUser, DEFAULT_PASSWORD, type TestUser } from "../../../test/factories/users";
import { truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { logIn } from "../accounts/login";
import { findResetTarget } from "../accounts/password-reset";
import { purgeDueAccounts } from "../accounts/deletion";
import { deferAccountWork } from "../accounts/deferred-work";
import { processDeferredAccountWork } from "../accounts/deferred-work-worker";
import { verifyLinkToken } from "../accounts/verification";
import { claimDueWebhookEvents } from "../billing/events";
import { claimDueEmails } from "../email/delivery";
import { deleteExpiredRows } from "../jobs/cleanup";
import { bannerNotices, forgetCachedBanners } from "../notices/banner";
import { authenticateApiKey, createApiKey } from "../orgs/api-keys";
import { listAuditEvents } from "../orgs/audit-history";
import { findInvitation } from "../orgs/invitations";
import { findOrgAccess, listUserOrgs } from "../orgs/orgs";
import { consumeRateLimit } from "../rate-limit";
import { createSession, listUserSessions, validateSessionToken } from "../session";
import { confirmWaitlistEntry, joinWaitlist } from "../waitlist/join";

const pool = new pg.Pool({ connectionString: workerDatabaseUrl(), max: 2 });
pool.on("error", () => {});
let recorded: CompiledQuery[] = [];
const db = new Kysely<DB>({
  dialect: new PostgresDialect({ pool }),
  log: (event) => {
    if (event.level === "query") recorded.push(event.query);
  },
});

let user: TestUser;
let slug: string;
let orgId: string;

beforeAll(async () => {
  await truncateAll(db);
  user = await createUser(db, { email: "plans@example.com" });
  const org = await createTestOrg(db, { slug: "plans", owner: user });
  slug = org.slug;
  orgId = org.id;
});
afterAll(() => db.destroy());

/** The statements `run` sent, minus inserts and transaction control (nothing to look up). */
async function statementsOf(run: () => Promise<unknown>): Promise<CompiledQuery[]> {
  recorded = [];
  await run();
  return recorded.filter((q) => /^\s*(select|update|delete|with)\b/i.test(q.sql));
}

type PlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] };
const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

/** The tables a statement reads by sequential scan, even with such scans discouraged. */
async function scannedTables(query: CompiledQuery): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query("set local enable_seqscan = off");
    const { rows } = await client.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${query.sql}`, query.parameters as unknown[]);
    return flatten(rows[0]!["QUERY PLAN"][0]!.Plan)
      .filter((node) => node["Node Type"] === "Seq Scan")
      .map((node) => node["Relation Name"]!);
  } finally {
    await client.query("rollback");
    client.release();
  }
}

async function expectIndexed(run: () => Promise<unknown>) {
  const statements = await statementsOf(run);
  expect(statements.length).toBeGreaterThan(0);
  for (const statement of statements) {
    expect(await scannedTables(statement), statement.sql).toEqual([]);
  }
}

describe("hot queries use an index", () => {
  const client = { ip: "127.0.0.1", userAgent: "test" };
  const now = () => new Date();

  it("every signed-in page: the session, the banner notices, the org frame", async () => {
    const { token } = await createSession(db, user.id, client);
    await expectIndexed(() => validateSessionToken(db, token, client, new Date(Date.now() + 10 * 60_000)));
    // (Each time from the database, not the banner cache.)
    forgetCachedBanners();
    await expectIndexed(() => bannerNotices(db, null));
    await db.insertInto("notice").values({ title: "T", body: "B", published_at: now(), show_until: new Date(Date.now() + 86_400_000) }).execute();
    forgetCachedBanners();
    await expectIndexed(() => bannerNotices(db, user.id));
    await expectIndexed(() => findOrgAccess(db, slug, user.id));
    await expectIndexed(() => listUserOrgs(db, user.id));
    await expectIndexed(() => listUserSessions(db, user.id));
  });

  it("logging in, following emailed links, joining and confirming the waitlist", async () => {
    await expectIndexed(() => logIn(db, user.email, DEFAULT_PASSWORD, client));
    await expectIndexed(() => verifyLinkToken(db, "no-such-token"));
    await expectIndexed(() => findResetTarget(db, "no-such-token"));
    await expectIndexed(() => findInvitation(db, "no-such-token"));
    await joinWaitlist(db, { email: "early@example.com", name: null, company: null }, client);
    // A second join looks the first one up by its address.
    await expectIndexed(() => joinWaitlist(db, { email: "early@example.com", name: null, company: null }, client));
    await expectIndexed(() => confirmWaitlistEntry(db, "no-such-token"));
  });

  it("the API: a key's lookup and the audit history", async () => {
    const { key } = await createApiKey(db, { orgId, name: "ci", actor: actorOf(user), ip: null });
    await expectIndexed(() => authenticateApiKey(db, key, "127.0.0.1"));
    await expectIndexed(() => listAuditEvents(db, orgId, {}, { limit: 50 }));
  });

  it("the workers' claims and the scheduled clean-ups", async () => {
    await expectIndexed(() => claimDueEmails(db, now(), randomUUID(), { batchSize: 20, leaseMs: 60_000 }));
    await expectIndexed(() => claimDueWebhookEvents(db, now(), randomUUID(), { batchSize: 50, leaseMs: 60_000 }));
    await expectIndexed(() => purgeDueAccounts(db));
    await deferAccountWork(db, { kind: "failed-login", email: user.email, ip: null, at: now() });
    await expectIndexed(() => processDeferredAccountWork(db));
    await expectIndexed(() => deleteExpiredRows(db, 365));
    // The limit counters are upserts, arbitrated by their primary key.
    await consumeRateLimit(db, "plans", { limit: 5, windowSeconds: 60 });
    expect(await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'rate_limit'`.execute(db).then((r) => r.rows.map((i) => i.indexname).sort())).toEqual([
      "rate_limit_expires_at_idx",
      "rate_limit_pkey",
    ]);
  });
});
