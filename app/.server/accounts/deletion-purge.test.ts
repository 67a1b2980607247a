// The purge against PostgreSQL: it finds a person under every address they
// ever used, leaves nothing of them in any column of any table, works in
// committed batches that resume after any interruption, and reads every table
// through an index.
import { createHash } from "node:crypto";
import { Kysely, PostgresDialect, sql, type CompiledQuery } from "kysely";
import pg from "pg";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { DB } from "../../../db/schema";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { createUser, DEFAULT_PASSWORD, latestVerificationCode } from "../../../test/factories/users";
import { createApiKey } from "../orgs/api-keys";
import { acceptInvitation, inviteMember } from "../orgs/invitations";
import { createOrg } from "../orgs/orgs";
import { createSession } from "../session";
import { joinWaitlist } from "../waitlist/join";
import { scheduleDeletion } from "./deletion";
import { purgeDueAccounts } from "./deletion";
import { deletedUserLabel } from "./deletion-purge";
import { logIn } from "./login";
import { requestEmailChange, updateName } from "./profile";
import { verifyCode } from "./verification";
import { queueEmail } from "../email/queue";
import { publicLink } from "../email/brand";

const db = connect(workerDatabaseUrl());
const otherProcess = connect(workerDatabaseUrl());
afterAll(async () => Promise.all([db.destroy(), otherProcess.destroy()]));
beforeEach(() => truncateAll(db));

const DAY = 86_400_000;
const now = new Date("2026-11-22T12:00:00Z");
const at = (days: number) => new Date(now.getTime() + days * DAY);

const OLD = "ada.old@example.com";
const NEW = "ada.new@example.com";
const PENDING = "ada.pending@example.com"; // asked for, never confirmed
const WAITLIST_IP = "198.51.100.23";
const SESSION_IP = "203.0.113.77";
const LATER_IP = "203.0.113.99";
const EVERYTHING_OF_ADA = [OLD, NEW, PENDING, "Ada Lovelace", "Ada King", "Analytical Engines", WAITLIST_IP, SESSION_IP, LATER_IP];

/** Every text-like column (text, varchar, jsonb) of every table whose value mentions `needle`. */
async function columnsMentioning(needle: string): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = 'public' and c.data_type in ('text', 'jsonb', 'json', 'character varying', 'character', 'inet', 'ARRAY', 'USER-DEFINED')`.execute(db);
  const hits: string[] = [];
  for (const { table_name, column_name } of columns.rows) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table_name)} where ${sql.ref(column_name)}::text ilike ${`%${needle}%`}`.execute(db);
    if (Number(rows[0]!.n) > 0) hits.push(`${table_name}.${column_name}`);
  }
  return hits;
}

/**
 * Ada's whole history (the repro of the black-box review): she joins the
 * waitlist as OLD with a name and company, signs up as OLD, is invited to and
 * joins Bob's org, fails a login, changes her name and her address to NEW,
 * starts another change she never confirms, and is named in a message still
 * queued for someone else.
 */
async function adaWithAHistory() {
  const bob = await createUser(db, { email: "bob@example.com", name: "Bob Builder", now });
  await joinWaitlist(db, { email: OLD, name: "Ada Lovelace", company: "Analytical Engines" }, { ip: WAITLIST_IP, userAgent: "Firefox" }, now);
  const ada = await createUser(db, { email: OLD, name: "Ada Lovelace", now });
  await createSession(db, ada.id, { ip: SESSION_IP, userAgent: "Firefox" }, now);
  await createOrg(db, { name: "Shared", slug: "shared", owner: { userId: bob.id, label: bob.email }, ip: "192.0.2.1" });
  const shared = await db.selectFrom("org").select("id").where("slug", "=", "shared").executeTakeFirstOrThrow();
  const bobActor = { userId: bob.id, label: bob.email };
  await inviteMember(db, { orgId: shared.id, orgName: "Shared", actor: bobActor, actorRole: "owner", ip: "192.0.2.1" }, { email: OLD, role: "admin" }, now);
  const invitationToken = /\/invite\/([a-z0-9]+)/.exec((await db.selectFrom("outbox_email").select("text_body").where("template", "=", "org-invitation").executeTakeFirstOrThrow()).text_body!)![1]!;
  expect(await acceptInvitation(db, invitationToken, { id: ada.id, email: OLD }, SESSION_IP, now)).toMatchObject({ ok: true });
  await logIn(db, OLD, "not her password at all", { ip: LATER_IP, userAgent: "curl" }, now); // audited in her orgs, with the IP
  await createApiKey(db, { orgId: shared.id, name: "Deploys", actor: { userId: ada.id, label: OLD }, ip: SESSION_IP }, now);
  await inviteMember(db, { orgId: shared.id, orgName: "Shared", actor: { userId: ada.id, label: OLD }, actorRole: "admin", ip: SESSION_IP }, { email: "carol@example.com", role: "member" }, now);
  await createOrg(db, { name: "Ada Solo", slug: "ada-solo", owner: { userId: ada.id, label: OLD }, ip: SESSION_IP });

  await updateName(db, ada.id, "Ada King", now);
  expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: NEW }, now)).toEqual({ ok: true });
  expect(await verifyCode(db, ada.id, "email-change", await latestVerificationCode(db, NEW), now)).toMatchObject({ ok: true });
  expect(await requestEmailChange(db, { userId: ada.id, password: DEFAULT_PASSWORD, newEmail: PENDING }, now)).toEqual({ ok: true });
  await createSession(db, ada.id, { ip: LATER_IP, userAgent: "Firefox" }, now);
  // A billing webhook that names her, and a message to Bob, not yet sent, that names her old address.
  await db
    .insertInto("webhook_event")
    .values({ source: "lemonsqueezy", dedupe_key: "ada", event_name: "subscription_created", body: JSON.stringify({ data: { attributes: { user_email: OLD, user_name: "Ada Lovelace" } } }) })
    .execute();
  await queueEmail(db, { to: bob.email, toName: "Bob Builder", template: "deletion-cancelled", props: { settingsUrl: publicLink(`/settings?from=${OLD}`) } }, { now });
  return { ada, bob, sharedId: shared.id };
}

describe("the purge finds a person under every address they used", () => {
  it("leaves no address, name or IP of theirs, old or current, in any column of any table", async () => {
    const { ada, bob, sharedId } = await adaWithAHistory();
    // Before: every one of them is stored somewhere (else the test would prove nothing).
    for (const needle of EVERYTHING_OF_ADA) expect(await columnsMentioning(needle), needle).not.toEqual([]);
    const addressHash = (email: string) => createHash("sha256").update(email).digest("hex");
    for (const email of [OLD, NEW, PENDING]) expect(await columnsMentioning(addressHash(email)), email).toEqual(["rate_limit.key"]);

    expect((await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: SESSION_IP, graceDays: 7 }, now)).ok).toBe(true);
    expect(await purgeDueAccounts(db, at(7))).toBe(1);

    for (const needle of EVERYTHING_OF_ADA) expect(await columnsMentioning(needle), needle).toEqual([]);
    // Rate-limit windows keyed by a hash of one of her addresses (her failed login, her inbox's limit) go too.
    for (const email of [OLD, NEW, PENDING]) expect(await columnsMentioning(addressHash(email)), email).toEqual([]);
    // The org's history stays, without her: her events and the events about her carry the anonymous label.
    const label = deletedUserLabel(ada.id);
    const history = await db.selectFrom("audit_event").select(["action", "actor_label", "target"]).where("org_id", "=", sharedId).execute();
    expect(history.filter((e) => e.actor_label === label).map((e) => e.action)).toEqual(expect.arrayContaining(["member.joined", "api_key.created", "member.invited"]));
    expect(history.filter((e) => e.action === "member.invited" && e.actor_label === bob.email).map((e) => e.target)).toEqual([label]);
    // Her email history goes with her; Bob's stays.
    expect(await db.selectFrom("user_email_history").select("email").execute()).toEqual([{ email: bob.email }]);
    expect((await db.selectFrom("org").select("slug").execute()).map((o) => o.slug)).toEqual(["shared"]);
  });

  it("records every address an account takes, whichever way it is set", async () => {
    const ada = await createUser(db, { email: OLD, now });
    await db.updateTable("user").set({ email: NEW }).where("id", "=", ada.id).execute();
    await db.updateTable("user").set({ name: "Someone" }).where("id", "=", ada.id).execute();
    const history = await db.selectFrom("user_email_history").select("email").where("user_id", "=", ada.id).orderBy("email").execute();
    expect(history.map((h) => h.email)).toEqual([NEW, OLD]);
  });
});

describe("the purge works in committed batches", () => {
  /** Ada with `events` audit events of her own in an org she shares with Bob, from a few IPs. */
  async function adaWithEvents(events: number) {
    const ada = await createUser(db, { email: OLD, name: "Ada Lovelace", now });
    const bob = await createUser(db, { email: "bob@example.com", now });
    await createOrg(db, { name: "Shared", slug: "shared", owner: { userId: bob.id, label: bob.email }, ip: null });
    const shared = await db.selectFrom("org").select("id").executeTakeFirstOrThrow();
    await db.insertInto("membership").values({ org_id: shared.id, user_id: ada.id, role: "admin" }).execute();
    await sql`insert into audit_event (org_id, actor_id, actor_label, action, target, ip)
      select ${shared.id}, ${ada.id}, ${OLD}, 'deploy.finished', 'api@v' || n, '10.0.0.' || (n % 5) from generate_series(1, ${events}) as n`.execute(db);
    // Bob's events from one of her networks lose the IP too.
    await sql`insert into audit_event (org_id, actor_id, actor_label, action, target, ip)
      select ${shared.id}, ${bob.id}, ${bob.email}, 'deploy.finished', 'web@v' || n, '10.0.0.3' from generate_series(1, 7) as n`.execute(db);
    await scheduleDeletion(db, { userId: ada.id, password: null, ip: null, graceDays: 7 }, now);
    return ada;
  }
  const hers = async (adaId: string) => Number((await db.selectFrom("audit_event").select((eb) => eb.fn.countAll<string>().as("n")).where("actor_id", "=", adaId).executeTakeFirstOrThrow()).n);

  it("commits each batch: a run cut short leaves its batches done and visible, and the next run finishes", async () => {
    const ada = await adaWithEvents(23);
    expect(await hers(ada.id)).toBe(24); // with "account.deletion_scheduled"
    const settings = { batchSize: 5, leaseMs: 60_000 };
    // One batch identifies her, then two batches of five of her events.
    expect(await purgeDueAccounts(db, at(8), { settings: { ...settings, maxBatches: 3 } })).toBe(0);
    // Another connection sees exactly the committed batches.
    expect(await otherProcess.selectFrom("audit_event").select("id").where("actor_label", "=", deletedUserLabel(ada.id)).execute()).toHaveLength(10);
    expect(await hers(ada.id)).toBe(14);
    expect(await db.selectFrom("user").select("id").where("id", "=", ada.id).execute()).toHaveLength(1);
    // A run that is cut short again, then one that finishes.
    expect(await purgeDueAccounts(db, at(8), { settings: { ...settings, maxBatches: 4 } })).toBe(0);
    expect(await purgeDueAccounts(db, at(8), { settings })).toBe(1);
    for (const needle of [OLD, "Ada Lovelace", "10.0.0."]) expect(await columnsMentioning(needle), needle).toEqual([]);
    expect(await db.selectFrom("audit_event").select("id").where("actor_label", "=", deletedUserLabel(ada.id)).execute()).toHaveLength(24);
  });

  it("changes at most a batch of rows per statement, each batch in its own transaction", async () => {
    const ada = await adaWithEvents(40);
    // Every statement the purge sends, with the number of rows PostgreSQL says it touched.
    const statements: Array<{ text: string; rows: number }> = [];
    const pool = new pg.Pool({ connectionString: workerDatabaseUrl(), max: 2 });
    pool.on("connect", (client) => {
      const query = client.query.bind(client) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
      (client as unknown as { query: typeof query }).query = async (text, values) => {
        const result = await query(text, values);
        statements.push({ text, rows: result.rowCount ?? 0 });
        return result;
      };
    });
    const watched = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    try {
      expect(await purgeDueAccounts(watched, at(8), { settings: { batchSize: 4, leaseMs: 60_000 } })).toBe(1);
    } finally {
      await watched.destroy();
    }
    expect(await hers(ada.id)).toBe(0);
    const changes = statements.filter((s) => /^\s*(update|delete)\b/i.test(s.text));
    expect(Math.max(...changes.map((s) => s.rows))).toBeLessThanOrEqual(4);
    // Her 41 events (with "deletion scheduled") in batches of 4, one statement each: eleven of them, each committed on its own.
    expect(statements.filter((s) => /^\s*with batch as/i.test(s.text))).toHaveLength(11);
    expect(statements.filter((s) => s.text === "commit").length).toBeGreaterThanOrEqual(11 + 2);
  });

  it("two processes purging at once give the same end state, each person purged once", async () => {
    const users = await Promise.all(["a", "b", "c", "d", "e"].map((n) => createUser(db, { email: `${n}@example.com`, now })));
    for (const user of users) await scheduleDeletion(db, { userId: user.id, password: null, ip: null, graceDays: 7 }, now);
    const settings = { batchSize: 2, leaseMs: 60_000 };
    const [first, second] = await Promise.all([purgeDueAccounts(db, at(8), { settings }), purgeDueAccounts(otherProcess, at(8), { settings })]);
    expect(first + second).toBe(5);
    expect(await db.selectFrom("user").select("id").execute()).toEqual([]);
  });

  it("takes over a purge whose process died, once its lease has run out", async () => {
    const ada = await adaWithEvents(12);
    // A process claims her and dies after its first batches (its lease stays).
    const { claimDuePurge, runClaimedPurge } = await import("./deletion-purge");
    const claim = await claimDuePurge(db, at(8), 60_000);
    expect(claim?.userId).toBe(ada.id);
    // Simulated death: it stops without releasing anything.
    await runClaimedPurge(db, claim!, at(8), { batchSize: 5, leaseMs: 60_000, maxBatches: 2 }).catch(() => undefined);
    await db.updateTable("user").set({ purge_claim_token: claim!.token, purge_lease_until: new Date(at(8).getTime() + 60_000) }).where("id", "=", ada.id).execute();
    // While its lease lasts nobody else starts on her; after it, the next run finishes.
    expect(await purgeDueAccounts(otherProcess, at(8))).toBe(0);
    expect(await purgeDueAccounts(otherProcess, new Date(at(8).getTime() + 61_000))).toBe(1);
    expect(await columnsMentioning(OLD)).toEqual([]);
    // The dead process's claim is worthless now.
    expect(await runClaimedPurge(db, claim!, at(8), { batchSize: 5, leaseMs: 60_000 })).toBe("lost-claim");
  });
});

describe("the purge reads through indexes", () => {
  it("sends no statement that needs a sequential scan, other than of the rate-limit windows", async () => {
    const { ada } = await adaWithAHistory();
    await scheduleDeletion(db, { userId: ada.id, password: DEFAULT_PASSWORD, ip: SESSION_IP, graceDays: 7 }, now);
    const recorded: CompiledQuery[] = [];
    const pool = new pg.Pool({ connectionString: workerDatabaseUrl(), max: 2 });
    const recording = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: (event) => void (event.level === "query" && recorded.push(event.query)) });
    try {
      expect(await purgeDueAccounts(recording, at(7), { settings: { batchSize: 3, leaseMs: 60_000 } })).toBe(1);
      const scanned = new Set<string>();
      const client = await pool.connect();
      try {
        for (const query of recorded.filter((q) => /^\s*(select|update|delete|with)\b/i.test(q.sql))) {
          await client.query("begin");
          await client.query("set local enable_seqscan = off");
          const { rows } = await client.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${query.sql}`, query.parameters as unknown[]);
          await client.query("rollback");
          for (const node of flatten(rows[0]!["QUERY PLAN"][0]!.Plan)) if (node["Node Type"] === "Seq Scan") scanned.add(`${node["Relation Name"]}: ${query.sql.slice(0, 80)}`);
        }
      } finally {
        client.release();
      }
      expect([...scanned].filter((entry) => !entry.startsWith("rate_limit:"))).toEqual([]);
    } finally {
      await recording.destroy();
    }
  });
});

type PlanNode = { "Node Type": string; "Relation Name"?: string; Plans?: PlanNode[] };
const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];
