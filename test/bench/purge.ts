// `npm run bench:purge [-- EVENTS]`: the purge of one person with a long
// history (default 500,000 audit events of their own), against a real
// PostgreSQL with the production statement timeout (DB_STATEMENT_TIMEOUT_MS,
// 5 s). Seeds a fresh database `gatehouse_bench_purge`: the person in a big
// shared org (their events from a handful of IPs, and 20,000 of someone
// else's events from one of those IPs), 100,000 events of other people around
// them, 20,000 messages to them, more to others that name them; then runs the
// purge job and prints how long it took, in how many batches, and whether
// anything of them is left. Fails only when the purge fails or leaves
// something, never on a number.
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { DB } from "../../db/schema";
import { purgeDueAccounts } from "../../app/.server/accounts/deletion";
import { DEFAULT_PURGE } from "../../app/.server/accounts/deletion-purge";
import { migrateToLatest } from "../../app/.server/database/migrate";
import { ADMIN_URL, connect, databaseUrl, recreateDatabase } from "../setup/databases";

const EVENTS = Number(process.argv[2] ?? 500_000);
const STATEMENT_TIMEOUT_MS = Number(process.env.DB_STATEMENT_TIMEOUT_MS ?? 5000);
const NAME = "gatehouse_bench_purge";
const ADA = "ada.bench@example.com";
const OLD = "ada.before@example.com";

async function main() {
  const admin = connect<unknown>(ADMIN_URL);
  await recreateDatabase(admin, NAME);
  await admin.destroy();
  const setup = connect<DB>(databaseUrl(NAME));
  const migrated = await migrateToLatest(setup);
  if (migrated.error) throw migrated.error;

  const seedStarted = Date.now();
  const [bob] = await setup.insertInto("user").values([{ email: "bob.bench@example.com", password_hash: "x", name: "Bob" }]).returning("id").execute();
  const [ada] = await setup.insertInto("user").values([{ email: OLD, password_hash: "x", name: "Ada Lovelace" }]).returning("id").execute();
  await setup.updateTable("user").set({ email: ADA }).where("id", "=", ada!.id).execute(); // an earlier address, in her history
  const [org] = await setup.insertInto("org").values([{ slug: "big", name: "Big", plan: "team" }]).returning("id").execute();
  await setup.insertInto("membership").values([{ org_id: org!.id, user_id: bob!.id, role: "owner" }, { org_id: org!.id, user_id: ada!.id, role: "admin" }]).execute();
  await sql`insert into audit_event (org_id, actor_id, actor_label, action, target, ip, created_at)
    select ${org!.id}, ${ada!.id}, ${OLD}, 'deploy.finished', 'api@v' || n, '10.1.0.' || (n % 7), now() - n * interval '1 minute'
    from generate_series(1, ${EVENTS}) as n`.execute(setup);
  await sql`insert into audit_event (org_id, actor_id, actor_label, action, target, ip, created_at)
    select ${org!.id}, ${bob!.id}, 'bob.bench@example.com', 'deploy.finished', 'web@v' || n, case when n <= 20000 then '10.1.0.3' else '192.0.2.' || (n % 200) end, now() - n * interval '1 minute'
    from generate_series(1, 100000) as n`.execute(setup);
  await sql`insert into audit_event (org_id, actor_id, actor_label, action, target, ip)
    select ${org!.id}, ${bob!.id}, 'bob.bench@example.com', 'member.role_changed', ${OLD}, '192.0.2.1' from generate_series(1, 1000)`.execute(setup);
  await sql`insert into outbox_email (template, to_address, to_name, subject, status, max_attempts, sent_at)
    select 'policy-notice', ${ADA}, 'Ada Lovelace', 'Policy ' || n, 'sent', 8, now() from generate_series(1, 20000) as n`.execute(setup);
  await sql`insert into outbox_email (template, to_address, to_name, subject, html, text_body, status, max_attempts)
    select 'org-invitation', 'guest' || n || '@example.com', null, 'Join Big', '<p>' || ${OLD} || ' invited you</p>', ${OLD} || ' invited you', 'failed', 8 from generate_series(1, 2000) as n`.execute(setup);
  await setup.insertInto("waitlist_entry").values({ email: OLD, name: "Ada Lovelace", company: "Engines", ip: "10.1.0.5" }).execute();
  await setup.updateTable("user").set({ deletion_requested_at: new Date(), purge_after: new Date(Date.now() - 1000) }).where("id", "=", ada!.id).execute();
  await sql`analyze`.execute(setup);
  const seedMs = Date.now() - seedStarted;

  // The app's own settings: every statement under the production timeout.
  const pool = new pg.Pool({ connectionString: databaseUrl(NAME), max: 2, options: `-c statement_timeout=${STATEMENT_TIMEOUT_MS}` });
  let statements = 0;
  let slowest = 0;
  const slow: Array<{ ms: number; sql: string }> = [];
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      statements++;
      slowest = Math.max(slowest, event.queryDurationMillis);
      if (event.queryDurationMillis > 100) slow.push({ ms: Math.round(event.queryDurationMillis), sql: event.query.sql.replace(/\s+/g, " ").slice(0, 120) });
    },
  });
  const started = Date.now();
  const purged = await purgeDueAccounts(db);
  const purgeMs = Date.now() - started;
  await db.destroy();

  const left = await sql<{ what: string; n: string }>`
    select 'user' as what, count(*)::text as n from "user" where id = ${ada!.id}
    union all select 'her events', count(*)::text from audit_event where actor_id = ${ada!.id} or actor_label in (${ADA}, ${OLD}) or target in (${ADA}, ${OLD})
    union all select 'her IPs', count(*)::text from audit_event where ip like '10.1.0.%'
    union all select 'messages', count(*)::text from outbox_email where to_address in (${ADA}, ${OLD}) or text_body like ${`%${OLD}%`}
    union all select 'waitlist', count(*)::text from waitlist_entry where email in (${ADA}, ${OLD})
    union all select 'history', count(*)::text from user_email_history where user_id = ${ada!.id}`.execute(setup);
  const kept = await sql<{ n: string }>`select count(*)::text as n from audit_event`.execute(setup);
  await setup.destroy();

  const leftovers = left.rows.filter((row) => row.n !== "0");
  console.log(
    JSON.stringify(
      {
        herEvents: EVENTS,
        seedMs,
        purged,
        purgeMs,
        statements,
        slowestStatementMs: Math.round(slowest),
        statementTimeoutMs: STATEMENT_TIMEOUT_MS,
        batchSize: DEFAULT_PURGE.batchSize,
        auditEventsKept: Number(kept.rows[0]!.n),
        leftovers,
        statementsOver100Ms: slow.sort((a, b) => b.ms - a.ms).slice(0, 5),
      },
      null,
      2,
    ),
  );
  if (purged !== 1 || leftovers.length > 0) process.exit(1);
}

await main();
