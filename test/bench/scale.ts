// `npm run bench:scale -- [S|M|L]` (default M): seeds a PostgreSQL database to
// that size with generate_series (one big org, skewed activity, three years of
// history), seeds another at S (a fresh install), runs the production build
// against each, and prints, for every page and job of issue 16, the median
// time at that size and at S and their ratio, the exports' time to first byte,
// size and row count, the server's peak RSS while exporting, and the notice
// fan-out (time inside the POST, time to queue every email, time until the
// worker has sent them all, the longest open transaction meanwhile). It fails on errors, never on a number.
//
// Databases are named gatehouse_scale_<size> on TEST_DATABASE_URL's server and
// kept between runs (a marker row says which seed they hold); --reseed drops
// and seeds them again.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql, type Kysely } from "kysely";
import type { DB } from "../../db/schema";
import { migrateToLatest } from "../../app/.server/database/migrate";
import { sessionCookieFor } from "../factories/users";
import { ADMIN_URL, connect, databaseUrl } from "../setup/databases";
import { startServer, type ServerProcess } from "../setup/server-process";

type Size = { users: number; members: number; audit: number; outbox: number; waitlist: number };
const SIZES: Record<string, Size> = {
  XS: { users: 200, members: 50, audit: 2_000, outbox: 500, waitlist: 200 },
  S: { users: 20, members: 10, audit: 200, outbox: 200, waitlist: 50 },
  M: { users: 20_000, members: 2_000, audit: 200_000, outbox: 50_000, waitlist: 20_000 },
  L: { users: 200_000, members: 10_000, audit: 2_000_000, outbox: 500_000, waitlist: 100_000 },
};
const SEED_VERSION = "scale-seed/2";
const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const EXPORT_RUNS = Number(process.env.BENCH_EXPORT_RUNS ?? 3);

const args = process.argv.slice(2);
const sizeName = (args.find((a) => !a.startsWith("--")) ?? "M").toUpperCase();
const reseed = args.includes("--reseed");
if (!SIZES[sizeName]) {
  console.error(`Unknown size ${sizeName}: use ${Object.keys(SIZES).join(", ")}`);
  process.exit(2);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

// ---- seeding -------------------------------------------------------------

async function ensureDatabase(name: string, size: Size): Promise<void> {
  const admin = connect<unknown>(ADMIN_URL);
  try {
    const exists = await sql<{ n: number }>`select count(*)::int as n from pg_database where datname = ${name}`.execute(admin);
    if (exists.rows[0]!.n > 0 && !reseed) {
      const db = connect<any>(databaseUrl(name));
      try {
        const marker = await sql<{ value: string }>`select value from bench_seed`.execute(db).catch(() => ({ rows: [] as Array<{ value: string }> }));
        if (marker.rows[0]?.value === `${SEED_VERSION} ${JSON.stringify(size)}`) {
          // Migrations added since the seed still apply, unless one was
          // named before the last one applied (a merged branch): seed anew.
          const { error } = await migrateToLatest(db);
          if (!error) {
            console.log(`Using the seeded database ${name}.`);
            return;
          }
          console.log(`The seeded database ${name} cannot take the new migrations (${error instanceof Error ? error.message : String(error)}); seeding it again.`);
        }
      } finally {
        await db.destroy();
      }
    }
    await sql`drop database if exists ${sql.id(name)} with (force)`.execute(admin);
    await sql`create database ${sql.id(name)}`.execute(admin);
  } finally {
    await admin.destroy();
  }
  const started = Date.now();
  const db = connect<any>(databaseUrl(name));
  try {
    const { error } = await migrateToLatest(db);
    if (error) throw error;
    await seed(db, size);
    await sql`create table bench_seed (value text not null)`.execute(db);
    await sql`insert into bench_seed values (${`${SEED_VERSION} ${JSON.stringify(size)}`})`.execute(db);
  } finally {
    await db.destroy();
  }
  console.log(`Seeded ${name} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

async function seed(db: Kysely<any>, size: Size): Promise<void> {
  const step = async (label: string, query: ReturnType<typeof sql>) => {
    const started = Date.now();
    await query.execute(db);
    console.log(`  ${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  // Accounts over three years, user1 the oldest (the operator and the big org's owner); 1 in 20 unverified.
  await step(
    `${size.users} users`,
    sql`insert into "user" (email, password_hash, name, email_verified_at, created_at, updated_at, is_operator)
        select 'user' || n || '@example.com', 'not-a-password-hash',
               (array['Ada','Grace','Alan','Edsger','Barbara','Donald','Frances','Ken','Margaret','Linus'])[1 + n % 10] || ' ' ||
               (array['Lovelace','Hopper','Turing','Dijkstra','Liskov','Knuth','Allen','Thompson','Hamilton','Torvalds'])[1 + (n / 10) % 10],
               case when n % 20 = 0 then null else now() - interval '1 day' end,
               now() - interval '3 years' * (1 - n::float / ${size.users}), now(), n = 1
        from generate_series(1, ${size.users}) as n`,
  );
  await step(
    "orgs and memberships",
    sql`with big as (insert into org (slug, name, plan) values ('big', 'Big Corp', 'enterprise') returning id)
        insert into membership (org_id, user_id, role, created_at)
        select big.id, u.id, case when u.n = 1 then 'owner' when u.n <= 10 then 'admin' else 'member' end, u.created_at
        from big, (select id, created_at, substring(email from 5 for position('@' in email) - 5)::int as n from "user") u
        where u.n <= ${size.members}`,
  );
  // Twenty small orgs of five people each, taken from past the big org's members.
  await step(
    "small orgs",
    sql`with small as (insert into org (slug, name, plan) select 'small-' || k, 'Small ' || k, 'enterprise' from generate_series(1, 20) as k returning id, slug)
        insert into membership (org_id, user_id, role)
        select small.id, u.id, case when u.n % 5 = 0 then 'owner' else 'member' end
        from small, (select id, substring(email from 5 for position('@' in email) - 5)::int as n from "user") u
        where u.n > ${size.members} and (u.n - ${size.members} - 1) / 5 + 1 = substring(small.slug from 7)::int`,
  );
  // Audit history: the size's whole count in the big org (so its export is
  // that many rows), by members picked with a cube-law skew (a few people do
  // most things), evenly over three years; a tenth more pushed by API keys
  // into the small orgs.
  await step(
    `${size.audit} audit events`,
    sql`with members as (select row_number() over (order by m.created_at, m.user_id) as k, m.user_id, u.email
                         from membership m join org o on o.id = m.org_id and o.slug = 'big' join "user" u on u.id = m.user_id),
             picks as (select n, 1 + floor(${size.members} * power(random(), 3))::int as k from generate_series(1, ${size.audit}) as n)
        insert into audit_event (org_id, actor_id, actor_label, action, target, ip, metadata, created_at)
        select (select id from org where slug = 'big'), members.user_id, members.email,
               (array['member.invited','member.joined','member.role_changed','api_key.created','api_key.revoked','member.removed','auth.login_failed','billing.checkout_started'])[1 + picks.n % 8],
               'target-' || picks.n, '10.0.' || (picks.n % 250) || '.' || (picks.n % 200), '{}'::jsonb,
               now() - interval '3 years' * (1 - picks.n::float / ${size.audit})
        from picks join members on members.k = least(picks.k, ${size.members})`,
  );
  await step(
    "pushed audit events",
    sql`insert into audit_event (org_id, actor_id, actor_label, action, target, metadata, created_at)
        select o.id, null, 'API key gk_bench… (CI)', 'deploy.finished', 'api@v' || n, '{"region":"eu"}'::jsonb, now() - interval '3 years' * random()
        from generate_series(1, ${Math.round(size.audit * 0.1)}) as n
        join org o on o.slug = 'small-' || (1 + n % 20)`,
  );
  // The email log: mostly sent (bodies cleared), 1 in 20 failed; recipients skewed toward early accounts.
  await step(
    `${size.outbox} outbox emails`,
    sql`insert into outbox_email (template, to_address, subject, status, attempts, max_attempts, last_error, created_at, updated_at, sent_at, next_attempt_at)
        select 'verify-email', 'user' || (1 + floor(${size.users} * power(random(), 2))::int) || '@example.com', 'Your code ' || n,
               case when n % 20 = 0 then 'failed' else 'sent' end, 1, 8, case when n % 20 = 0 then '550 mailbox unavailable' end, t, t,
               case when n % 20 = 0 then null else t end, t
        from generate_series(1, ${size.outbox}) as n, lateral (select now() - interval '3 years' * (1 - n::float / ${size.outbox})) as at(t)`,
  );
  await step(
    `${size.waitlist} waitlist entries`,
    sql`insert into waitlist_entry (email, name, company, ip, user_agent, created_at, confirmed_at, invited_at)
        select 'wait' || n || '@example.net', case when n % 3 = 0 then null else 'Waiting Person ' || n end,
               case when n % 4 = 0 then null else (array['Initech','Globex','Umbrella','Hooli','Stark'])[1 + n % 5] || ' ' || (n % 1000) end,
               '192.0.2.' || (n % 250), 'Bench/1.0', now() - interval '2 years' * (1 - n::float / ${size.waitlist}),
               case when n % 2 = 0 then now() - interval '1 year' * random() end, case when n % 10 = 0 then now() - interval '6 months' * random() end
        from generate_series(1, ${size.waitlist}) as n`,
  );
  await step("analyze", sql`analyze`);
}

// ---- measuring -----------------------------------------------------------

type Fetched = { status: number; ms: number; ttfbMs: number; bytes: number; newlines: number; body: string | null };

async function timedFetch(url: string, init: RequestInit, keepBody: boolean): Promise<Fetched> {
  const started = process.hrtime.bigint();
  const response = await fetch(url, { redirect: "manual", ...init });
  const reader = response.body?.getReader();
  let ttfbMs = ms(started);
  let bytes = 0;
  let newlines = 0;
  let first = true;
  const decoder = new TextDecoder();
  let body = keepBody ? "" : null;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (first) {
        ttfbMs = ms(started);
        first = false;
      }
      bytes += value.byteLength;
      for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) newlines++;
      if (keepBody) body += decoder.decode(value, { stream: true });
    }
  }
  return { status: response.status, ms: ms(started), ttfbMs, bytes, newlines, body };
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Math.round(Number(match[1]) / 1024) : 0;
}

type PageResult = { name: string; medianMs: number; statuses: number[] };
type ExportResult = { name: string; ttfbMs: number; totalMs: number; bytes: number; rows: number; expectedRows: number; peakRssMb: number; baseRssMb: number };
type NoticeResult = { postMs: number; fanOutMs: number; deliveredMs: number; emailsQueued: number; emailsSent: number; activeAccounts: number; longestTransactionMs: number; longestTransactionQuery: string };
type SizeResult = { size: string; pages: PageResult[]; exports: ExportResult[]; notice: NoticeResult };

async function measureSize(name: string, size: Size): Promise<SizeResult> {
  const dbName = `gatehouse_scale_${name.toLowerCase()}`;
  await ensureDatabase(dbName, size);
  const url = databaseUrl(dbName);
  // The bench's own statements (its progress counts) are not the server's:
  // tagged, so the transaction watcher leaves them out.
  const benchUrl = new URL(url);
  benchUrl.searchParams.set("application_name", "gatehouse-bench");
  const db = connect<DB>(benchUrl.toString());
  let server: ServerProcess | undefined;
  try {
    // Left from an earlier run: notices still fanning out would load the server.
    await db.updateTable("notice").set({ fanout_done_at: new Date() }).where("fanout_done_at", "is", null).execute();
    await db.deleteFrom("outbox_email").where("template", "=", "policy-notice").execute();
    await db.deleteFrom("rate_limit").execute();
    // What autovacuum would have done after that (and after the last run's
    // 190k updates): a server with autovacuum off (CI's) would otherwise walk
    // millions of dead rows and plan on statistics from before them.
    await sql`vacuum analyze`.execute(db);
    const main = await db.selectFrom("user").select("id").where("email", "=", "user1@example.com").executeTakeFirstOrThrow();
    const cookie = await sessionCookieFor(db, main);
    const big = await db.selectFrom("org").select("id").where("slug", "=", "big").executeTakeFirstOrThrow();
    const middleMember = await db
      .selectFrom("membership")
      .select("user_id")
      .where("org_id", "=", big.id)
      .orderBy("created_at")
      .orderBy("user_id")
      .offset(Math.floor(size.members / 2))
      .limit(1)
      .executeTakeFirstOrThrow();
    const oldEvent = await db.selectFrom("audit_event").select("id").where("org_id", "=", big.id).orderBy("id").offset(Math.floor(size.audit * 0.1)).limit(1).executeTakeFirstOrThrow();
    const weekAgo2y = new Date(Date.now() - 2 * 365 * 86_400_000);
    const day = (d: Date) => d.toISOString().slice(0, 10);

    server = await startServer({
      DATABASE_URL: url,
      LOG_LEVEL: "warn",
      RUN_WORKER: "true",
      EMAIL_TRANSPORT: "log",
      // No sending budget: the bench measures the queue, not the provider's limit.
      EMAIL_RATE_PER_SECOND: "0",
      AUDIT_RETENTION_DAYS: "3650",
      DB_POOL_MAX: "10",
    });
    const base = server.url;
    const get = (p: string, keepBody = false) => timedFetch(`${base}${p}`, { headers: { Cookie: cookie } }, keepBody);

    const pages: Array<[string, string]> = [
      ["/settings (control)", "/settings"],
      ["/settings/sessions (control)", "/settings/sessions"],
      ["/orgs/big/members", "/orgs/big/members"],
      ["/orgs/big/members, a middle page", `/orgs/big/members?after=${middleMember.user_id}`],
      ["/orgs/big/members?q=", "/orgs/big/members?q=grace"],
      ["/orgs/big/audit", "/orgs/big/audit"],
      ["audit, an old page", `/orgs/big/audit?before=${oldEvent.id}`],
      ["audit, action filter", "/orgs/big/audit?action=member.removed"],
      ["audit, actor filter", `/orgs/big/audit?actor=${middleMember.user_id}`],
      ["audit, date filter (a week, 2 years ago)", `/orgs/big/audit?from=${day(weekAgo2y)}&to=${day(new Date(weekAgo2y.getTime() + 6 * 86_400_000))}`],
      ["/admin/users", "/admin/users"],
      ["/admin/users?q= (email part)", "/admin/users?q=user1234"],
      ["/admin/users?q= (name)", "/admin/users?q=hopper"],
      ["/admin/waitlist", "/admin/waitlist"],
      ["/admin/waitlist?q=", "/admin/waitlist?q=globex%2012"],
      ["/admin/waitlist by name, ascending", "/admin/waitlist?sort=name&dir=asc"],
      ["/admin/emails", "/admin/emails"],
      ["/admin/emails?status=failed", "/admin/emails?status=failed"],
      ["/admin/notices", "/admin/notices"],
    ];
    // Warm-up (JIT, plan caches, the buffer cache) and a check that each page answers.
    for (const [label, p] of pages) {
      const { status } = await get(p);
      if (status !== 200) throw new Error(`${label} answered ${status}`);
    }
    // Interleaved rounds: a slow patch of a shared machine weighs on every page alike.
    const times = new Map<string, number[]>(pages.map(([label]) => [label, []]));
    const statuses = new Map<string, number[]>(pages.map(([label]) => [label, []]));
    for (let round = 0; round < RUNS; round++) {
      for (const [label, p] of pages) {
        const result = await get(p);
        times.get(label)!.push(result.ms);
        statuses.get(label)!.push(result.status);
        if (result.status !== 200) throw new Error(`${label} answered ${result.status}`);
      }
    }
    const pageResults = pages.map(([label]) => ({ name: label, medianMs: median(times.get(label)!), statuses: [...new Set(statuses.get(label)!)] }));

    // Exports: three downloads each (the personal one is limited to 5 an hour: the counter is reset in between).
    const bigRows = Number((await db.selectFrom("audit_event").select((eb) => eb.fn.countAll<string>().as("n")).where("org_id", "=", big.id).executeTakeFirstOrThrow()).n);
    const mainEvents = Number((await db.selectFrom("audit_event").select((eb) => eb.fn.countAll<string>().as("n")).where("actor_id", "=", main.id).executeTakeFirstOrThrow()).n);
    // Rows are counted as the bytes arrive (one per line: a header line in the
    // CSV, the brackets' lines in the JSON), so a file of millions is never held here.
    const exportsToRun: Array<[string, string, (result: Fetched) => number, number, boolean]> = [
      ["audit CSV export (whole history)", "/orgs/big/audit?format=csv", (r) => r.newlines - 1, bigRows, false],
      ["audit JSON export (whole history)", "/orgs/big/audit?format=json", (r) => r.newlines - 2, bigRows, false],
      ["/settings/export.json (the busiest member)", "/settings/export.json", (r) => (JSON.parse(r.body!) as { audit_events: unknown[] }).audit_events.length, mainEvents, true],
    ];
    const exportResults: ExportResult[] = [];
    for (const [label, p, countRows, expectedRows, keepBody] of exportsToRun) {
      const runs: Array<Fetched & { peak: number; base: number }> = [];
      for (let i = 0; i < EXPORT_RUNS; i++) {
        await db.deleteFrom("rate_limit").where("key", "like", "export:%").execute();
        const baseRss = rssMb(server.child.pid!);
        let peak = baseRss;
        const sampler = setInterval(() => (peak = Math.max(peak, rssMb(server!.child.pid!))), 20);
        const result = await get(p, keepBody);
        clearInterval(sampler);
        if (result.status !== 200) throw new Error(`${label} answered ${result.status}`);
        runs.push({ ...result, peak, base: baseRss });
      }
      const last = runs.at(-1)!;
      const rows = countRows(last);
      exportResults.push({
        name: label,
        ttfbMs: median(runs.map((r) => r.ttfbMs)),
        totalMs: median(runs.map((r) => r.ms)),
        bytes: last.bytes,
        rows,
        expectedRows,
        peakRssMb: Math.max(...runs.map((r) => r.peak)),
        baseRssMb: Math.min(...runs.map((r) => r.base)),
      });
      if (rows !== expectedRows) throw new Error(`${label}: ${rows} rows, expected ${expectedRows}`);
    }

    // A notice to every active account: the POST, then the worker's fan-out.
    const activeAccounts = Number(
      (await db.selectFrom("user").select((eb) => eb.fn.countAll<string>().as("n")).where("email_verified_at", "is not", null).where("deletion_requested_at", "is", null).executeTakeFirstOrThrow()).n,
    );
    let longestTransactionMs = 0;
    let longestTransactionQuery = "";
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const row = await sql<{ longest: number; query: string }>`
          select extract(epoch from clock_timestamp() - xact_start)::float * 1000 as longest, left(query, 60) as query from pg_stat_activity
          where datname = ${dbName} and backend_type = 'client backend' and xact_start is not null and application_name <> 'gatehouse-bench'
          order by xact_start limit 1`.execute(db);
        if ((row.rows[0]?.longest ?? 0) > longestTransactionMs) {
          longestTransactionMs = row.rows[0]!.longest;
          longestTransactionQuery = row.rows[0]!.query;
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const posted = await timedFetch(
      `${base}/admin/notices`,
      {
        method: "POST",
        headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin" },
        // Confirmed, as the page asks before publishing (a bare POST publishes nothing).
        body: new URLSearchParams({ title: `Bench notice ${Date.now()}`, body: "We changed how long we keep audit events.", link: "/privacy", confirm: "yes" }).toString(),
      },
      false,
    );
    if (posted.status !== 303) throw new Error(`publishing a notice answered ${posted.status}`);
    const fanOutStarted = process.hrtime.bigint();
    let notice: { emails_queued: number; fanout_done_at: Date | null } | undefined;
    for (;;) {
      notice = await db.selectFrom("notice").select(["emails_queued", "fanout_done_at"]).orderBy("published_at", "desc").limit(1).executeTakeFirstOrThrow();
      if (notice.fanout_done_at) break;
      if (ms(fanOutStarted) > 30 * 60_000) throw new Error("the notice's fan-out did not finish in 30 minutes");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const fanOutMs = ms(fanOutStarted) + posted.ms;
    if (notice.emails_queued !== activeAccounts) throw new Error(`the notice queued ${notice.emails_queued} emails for ${activeAccounts} active accounts`);
    // Then until the worker has sent every one of them (the transactions are
    // watched all along: delivery must not hold one open either).
    let emailsSent = 0;
    for (;;) {
      const counts = await db
        .selectFrom("outbox_email")
        .select((eb) => [eb.fn.countAll<string>().as("all"), eb.fn.count<string>(eb.case().when("status", "=", "sent").then(1).end()).as("sent")])
        .where("template", "=", "policy-notice")
        .executeTakeFirstOrThrow();
      emailsSent = Number(counts.sent);
      if (emailsSent === Number(counts.all)) break;
      if (ms(fanOutStarted) > 60 * 60_000) throw new Error(`the notice's emails were not all sent in an hour (${emailsSent} of ${counts.all})`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const deliveredMs = ms(fanOutStarted) + posted.ms;
    watching = false;
    await watcher;
    if (emailsSent !== activeAccounts) throw new Error(`the notice's worker sent ${emailsSent} emails for ${activeAccounts} active accounts`);

    return {
      size: name,
      pages: pageResults,
      exports: exportResults,
      notice: { postMs: posted.ms, fanOutMs, deliveredMs, emailsQueued: notice.emails_queued, emailsSent, activeAccounts, longestTransactionMs, longestTransactionQuery },
    };
  } finally {
    await server?.stop();
    await db.destroy();
  }
}

// ---- report --------------------------------------------------------------

const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`;

function report(small: SizeResult, big: SizeResult): string {
  const lines: string[] = [];
  const s = small.size;
  const b = big.size;
  lines.push(`| page (median of ${RUNS}) | ${s} | ${b} | ${b}/${s} |`, "|---|---|---|---|");
  for (const page of big.pages) {
    const base = small.pages.find((p) => p.name === page.name)!;
    lines.push(`| ${page.name} | ${f(base.medianMs)} ms | ${f(page.medianMs)} ms | ${(page.medianMs / base.medianMs).toFixed(2)} |`);
  }
  lines.push("", `| export (median of ${EXPORT_RUNS}) | ${s} first byte / total | ${b} first byte / total | ${b} size, rows | ${b} server RSS before → peak |`, "|---|---|---|---|---|");
  for (const exp of big.exports) {
    const base = small.exports.find((e) => e.name === exp.name)!;
    lines.push(
      `| ${exp.name} | ${f(base.ttfbMs)} / ${f(base.totalMs)} ms | ${f(exp.ttfbMs)} / ${f(exp.totalMs)} ms | ${mb(exp.bytes)}, ${exp.rows} of ${exp.expectedRows} | ${exp.baseRssMb} → ${exp.peakRssMb} MB |`,
    );
  }
  lines.push("", `| notice to every active account | ${s} | ${b} |`, "|---|---|---|");
  lines.push(`| the POST (publish and redirect) | ${f(small.notice.postMs)} ms | ${f(big.notice.postMs)} ms |`);
  lines.push(`| until every email is queued | ${f(small.notice.fanOutMs)} ms (${small.notice.emailsQueued} emails) | ${f(big.notice.fanOutMs)} ms (${big.notice.emailsQueued} emails) |`);
  lines.push(`| until every email is sent | ${f(small.notice.deliveredMs)} ms (${small.notice.emailsSent} emails) | ${f(big.notice.deliveredMs)} ms (${big.notice.emailsSent} emails) |`);
  lines.push(`| longest open transaction meanwhile | ${f(small.notice.longestTransactionMs)} ms | ${f(big.notice.longestTransactionMs)} ms |`);
  lines.push(`| (its statement when seen) | ${small.notice.longestTransactionQuery} | ${big.notice.longestTransactionQuery} |`);
  return lines.join("\n");
}

const small = await measureSize("S", SIZES.S!);
const big = sizeName === "S" ? small : await measureSize(sizeName, SIZES[sizeName]!);
const table = report(small, big);
console.log(`\nScale bench, ${sizeName} against S (${JSON.stringify(SIZES[sizeName])}):\n\n${table}\n`);
mkdirSync(".bench", { recursive: true });
const file = path.join(".bench", `scale-${sizeName}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ size: sizeName, small, big }, null, 2));
console.log(`Wrote ${file}`);
