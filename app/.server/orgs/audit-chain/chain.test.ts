// The audit hash chain against PostgreSQL: it verifies after many events,
// after a person's purge and after retention; it names the event after an
// UPDATE or a DELETE made straight in SQL; appends from two processes at once
// keep one linear chain; checkpoints are recorded once per org.
import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { actorOf, createTestOrg, type TestOrg } from "../../../../test/factories/orgs";
import { createUser, DEFAULT_PASSWORD, type TestUser } from "../../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../../test/setup/databases";
import { purgeDueAccounts, scheduleDeletion } from "../../accounts/deletion";
import { logIn } from "../../accounts/login";
import { processDeferredAccountWork } from "../../accounts/deferred-work-worker";
import { deleteExpiredRows } from "../../jobs/cleanup";
import { recordAuditEvent } from "../audit";
import { acceptInvitation, inviteMember } from "../invitations";
import { CHECKPOINT_INTERVAL_MS, recordDueCheckpoints } from "./checkpoints";
import { verifyAuditChain } from "./verify";

const db = connect(workerDatabaseUrl());
const otherProcess = connect(workerDatabaseUrl());
afterAll(async () => Promise.all([db.destroy(), otherProcess.destroy()]));
beforeEach(() => truncateAll(db));

const DAY = 86_400_000;
const now = new Date("2026-11-22T12:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * DAY);

let ada: TestUser, bob: TestUser, org: TestOrg;
beforeEach(async () => {
  [ada, bob] = await Promise.all([createUser(db, { email: "ada@example.com" }), createUser(db, { email: "bob@example.com" })]);
  org = await createTestOrg(db, { slug: "alpha", owner: ada, members: [{ user: bob, role: "member" }] });
});

const record = (action: string, options: { by?: TestUser; at?: Date; target?: string; metadata?: Record<string, unknown>; on?: typeof db } = {}) =>
  recordAuditEvent(options.on ?? db, {
    orgId: org.id,
    actor: actorOf(options.by ?? ada),
    action,
    target: options.target ?? null,
    ip: "203.0.113.7",
    metadata: options.metadata,
    at: options.at,
  });

const eventAt = async (seq: number) => (await sql<{ id: string }>`select id::text as id from audit_event where org_id = ${org.id} and seq = ${seq}`.execute(db)).rows[0]!.id;

describe("verifying an org's chain", () => {
  it("passes after many events, across batches, and reports the head", async () => {
    for (let i = 1; i <= 130; i++) await record(`deploy.step_${i % 7}`, { target: `build ${i}`, metadata: { n: i, nested: { b: [1, "x"], a: null }, when: new Date(now.getTime() + i) } });
    const report = await verifyAuditChain(db, org.id, { batchSize: 50 });
    expect(report).toMatchObject({ ok: true, checked: 130, startSeq: 1, headSeq: 130, unchained: 0, failure: null });
    const newest = await db.selectFrom("audit_event").select(sql<string>`encode(hash, 'hex')`.as("hash")).where("org_id", "=", org.id).orderBy("seq", "desc").limit(1).executeTakeFirstOrThrow();
    expect(report.headHash).toBe(newest.hash);
  });

  it("is empty and fine for an org with no events yet", async () => {
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, checked: 0, headSeq: null });
  });

  it("commits to the personal values with keyed hashes: no email, name or IP is hashed in the clear", async () => {
    await record("member.invited", { target: "carol@example.com" });
    const row = await db.selectFrom("audit_event").selectAll().where("org_id", "=", org.id).executeTakeFirstOrThrow();
    expect(row.commitments).toHaveLength(80);
    const { createHash } = await import("node:crypto");
    for (const value of ["carol@example.com", ada.email, "203.0.113.7", ada.id]) {
      const plain = createHash("sha256").update(value).digest().subarray(0, 16);
      expect(row.commitments!.includes(plain)).toBe(false);
    }
  });

  it.each([
    ["actor", sql`actor_label = 'mallory@example.com'`, "its actor was changed"],
    ["target", sql`target = 'someone-else@example.com'`, "its target was changed"],
    ["metadata", sql`metadata = '{"n": 99}'::jsonb`, "its details was changed"],
    ["ip", sql`ip = '198.51.100.1'`, "its IP address was changed"],
    ["time", sql`created_at = created_at - interval '1 day'`, "its time, action or hash was changed"],
    ["action", sql`action = 'deploy.nothing'`, "its time, action or hash was changed"],
  ])("fails, naming the event, after an UPDATE of its %s in SQL", async (_what, change, reason) => {
    for (let i = 1; i <= 5; i++) await record("deploy.step", { target: `t${i}@example.com`, metadata: { n: i } });
    const third = await eventAt(3);
    await sql`update audit_event set ${change} where id = ${third}`.execute(db);
    expect(await verifyAuditChain(db, org.id, { batchSize: 2 })).toMatchObject({ ok: false, checked: 2, failure: { id: third, seq: 3, reason } });
  });

  it("fails, naming where, after a DELETE in SQL: in the middle, the oldest, the newest", async () => {
    for (let i = 1; i <= 6; i++) await record("deploy.step", { metadata: { n: i } });
    const [second, third, fourth] = [await eventAt(2), await eventAt(3), await eventAt(4)];
    await sql`delete from audit_event where id = ${third}`.execute(db);
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: false, failure: { id: fourth, seq: 4, reason: "event 3 of the chain is missing (deleted) before this one" } });

    await sql`delete from audit_event where seq in (1, 2) and org_id = ${org.id}`.execute(db);
    expect((await verifyAuditChain(db, org.id)).failure).toMatchObject({ id: fourth, reason: "events 1 to 3 of the chain are missing (deleted) before this one" });
    expect(second).not.toBe(fourth);
  });

  it("fails when the newest event is deleted", async () => {
    for (let i = 1; i <= 3; i++) await record("deploy.step");
    await sql`delete from audit_event where id = ${await eventAt(3)}`.execute(db);
    expect((await verifyAuditChain(db, org.id)).failure).toMatchObject({ id: null, seq: 3, reason: "the newest event (3) of the chain is missing (deleted)" });
  });

  it("fails when an event is added around the chain, unsealed", async () => {
    await record("deploy.step");
    const { id } = await db.insertInto("audit_event").values({ org_id: org.id, actor_label: "forged", action: "member.removed" }).returning(sql<string>`id::text`.as("id")).executeTakeFirstOrThrow();
    expect((await verifyAuditChain(db, org.id)).failure).toMatchObject({ id, reason: "it is not in the chain: it was added without being sealed" });
  });

  it("still passes after a member's purge erased them from the history", async () => {
    const carol = await createUser(db, { email: "carol@example.com", now });
    await inviteMember(db, { orgId: org.id, orgName: "Alpha", actor: actorOf(ada), actorRole: "owner", ip: "192.0.2.1" }, { email: carol.email, role: "member" }, now);
    const token = /\/invite\/([a-z0-9]+)/.exec((await db.selectFrom("outbox_email").select("text_body").where("template", "=", "org-invitation").executeTakeFirstOrThrow()).text_body!)![1]!;
    expect(await acceptInvitation(db, token, { id: carol.id, email: carol.email }, "198.51.100.9", now)).toMatchObject({ ok: true });
    await logIn(db, carol.email, "not her password", { ip: "198.51.100.9", userAgent: "curl" }, now);
    await processDeferredAccountWork(db, now);
    await record("deploy.finished", { by: carol as TestUser });
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, erasedValues: 0 });

    expect((await scheduleDeletion(db, { userId: carol.id, password: DEFAULT_PASSWORD, ip: "198.51.100.9", graceDays: 7 }, now)).ok).toBe(true);
    expect(await purgeDueAccounts(db, new Date(now.getTime() + 7 * DAY))).toBe(1);
    const left = await db.selectFrom("audit_event").select(["actor_label", "target", "ip"]).where("org_id", "=", org.id).execute();
    expect(JSON.stringify(left)).not.toContain("carol@example.com");
    expect(JSON.stringify(left)).not.toContain("198.51.100.9");
    const report = await verifyAuditChain(db, org.id);
    expect(report).toMatchObject({ ok: true, failure: null });
    expect(report.erasedValues).toBeGreaterThan(4);
  });

  it("still passes after retention removed the oldest events, from the start a checkpoint records", async () => {
    await record("old.one", { at: daysAgo(400) });
    await record("old.two", { at: daysAgo(380) });
    // Pushed late through the API: older than the period, but after a kept event in the chain, so kept too.
    await record("recent.one", { at: daysAgo(10) });
    await record("late.old", { at: daysAgo(390) });
    await record("recent.two", { at: daysAgo(1) });
    expect(await deleteExpiredRows(db, 365, now)).toMatchObject({ auditEvents: 2 });
    const events = await db.selectFrom("audit_event").select(["action", "metadata", sql<string>`seq::text`.as("seq")]).where("org_id", "=", org.id).orderBy("seq").execute();
    expect(events.map((e) => e.action)).toEqual(["recent.one", "late.old", "recent.two", "audit.checkpoint"]);
    expect(events.at(-1)!.metadata).toMatchObject({ reason: "retention", seq: 5, start_seq: 3, removed_through_seq: 2 });
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, startSeq: 3, checked: 4 });
    // Nothing more expired at this cutoff: no new checkpoint.
    expect(await deleteExpiredRows(db, 365, now)).toMatchObject({ auditEvents: 0 });
    expect(await db.selectFrom("audit_event").where("action", "=", "audit.checkpoint").select("id").execute()).toHaveLength(1);
    // Everything expired: the retention checkpoint is the whole chain, and it verifies.
    expect(await deleteExpiredRows(db, 0, new Date(now.getTime() + DAY))).toMatchObject({ auditEvents: 4 });
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, startSeq: 7, checked: 1 });
  });

  it("removes the whole expired prefix past the ninth event (places compare as numbers)", async () => {
    for (let i = 0; i < 12; i++) await record("old.step", { at: daysAgo(400 - i) });
    await record("recent.step", { at: daysAgo(2) });
    expect(await deleteExpiredRows(db, 365, now)).toMatchObject({ auditEvents: 12 });
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, startSeq: 13, checked: 2 });
  });

  it("fails when the oldest events are deleted in SQL rather than by retention", async () => {
    for (let i = 1; i <= 4; i++) await record("deploy.step");
    await sql`delete from audit_event where seq = 1 and org_id = ${org.id}`.execute(db);
    expect((await verifyAuditChain(db, org.id)).failure).toMatchObject({ id: await eventAt(2), reason: "event 1 of the chain is missing (deleted) before this one" });
  });

  it("reports events from before the chain, and starts the chain after them", async () => {
    await db.insertInto("audit_event").values({ org_id: org.id, actor_label: "before the upgrade", action: "member.invited" }).execute();
    await record("deploy.step");
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, checked: 1, unchained: 1 });
  });
});

describe("appending under concurrency", () => {
  it("keeps one linear chain when two processes append to one org at once", async () => {
    const appends = Array.from({ length: 80 }, (_, i) =>
      (i % 2 ? otherProcess : db).transaction().execute(async (tx) => {
        await record(`parallel.${i % 2 ? "b" : "a"}`, { on: tx, metadata: { i } });
        // Hold the transaction open a moment after the append, as a request does.
        await sql`select pg_sleep(0.002)`.execute(tx);
      }),
    );
    await Promise.all(appends);
    const seqs = (await db.selectFrom("audit_event").select(sql<number>`seq::int`.as("seq")).where("org_id", "=", org.id).orderBy("seq").execute()).map((r) => r.seq);
    expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, checked: 80 });
  });

  it("keeps the chain when an appending transaction rolls back", async () => {
    await record("first");
    await expect(
      db.transaction().execute(async (tx) => {
        await record("rolled.back", { on: tx });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await record("second");
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, checked: 2, headSeq: 2 });
  });
});

describe("checkpoints", () => {
  it("records one per org with new events, once, even with two processes at it", async () => {
    const quiet = await createTestOrg(db, { slug: "quiet", owner: bob });
    await record("deploy.step");
    await record("deploy.step");
    // Not in the chain's first interval (an org being set up), then once.
    expect(await recordDueCheckpoints(db)).toEqual({ recorded: 0 });
    const start = new Date(Date.now() + CHECKPOINT_INTERVAL_MS);
    const [a, b] = await Promise.all([recordDueCheckpoints(db, { now: start }), recordDueCheckpoints(otherProcess, { now: start })]);
    expect(a.recorded + b.recorded).toBe(1);
    const checkpoint = await db.selectFrom("audit_event").select(["metadata", "actor_label", "target"]).where("action", "=", "audit.checkpoint").executeTakeFirstOrThrow();
    const head = await db.selectFrom("audit_event").select(sql<string>`encode(hash, 'hex')`.as("hash")).where("seq", "=", "2").where("org_id", "=", org.id).executeTakeFirstOrThrow();
    expect(checkpoint).toMatchObject({ actor_label: "Gatehouse", target: "event 2", metadata: { seq: 2, hash: head.hash, start_seq: 1, start_prev_hash: null, reason: "periodic" } });
    expect(await db.selectFrom("audit_event").select("id").where("org_id", "=", quiet.id).execute()).toEqual([]);

    // Nothing new since: none. New events, but within the interval: none. After it: one.
    expect(await recordDueCheckpoints(db, { now: new Date(start.getTime() + 2 * CHECKPOINT_INTERVAL_MS) })).toEqual({ recorded: 0 });
    await record("deploy.step");
    expect(await recordDueCheckpoints(db, { now: new Date(start.getTime() + CHECKPOINT_INTERVAL_MS / 2) })).toEqual({ recorded: 0 });
    expect(await recordDueCheckpoints(db, { now: new Date(start.getTime() + CHECKPOINT_INTERVAL_MS) })).toEqual({ recorded: 1 });
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, checked: 5 });
  });
});

describe("rotating SECRETS_KEY", () => {
  it("moves each org's chain key to the current key, and the chain still verifies", async () => {
    await record("deploy.step");
    const { createKeyring, keyId } = await import("../../secrets/keyring");
    const { encryptWith } = await import("../../secrets/cipher");
    const { getKeyring } = await import("../../secrets");
    const { openOrgKey } = await import("./org-key");
    const { resealStaleOrgKeys } = await import("./checkpoints");
    // Seal the org's key under an older key that the keyring still lists.
    const { randomBytes } = await import("node:crypto");
    const old = randomBytes(32);
    const chain = await db.selectFrom("audit_chain").select("mac_key").where("org_id", "=", org.id).executeTakeFirstOrThrow();
    const orgKey = openOrgKey(org.id, chain.mac_key);
    const keyring = getKeyring();
    keyring.byId.set(keyId(old), { id: keyId(old), key: old });
    const underOld = encryptWith(createKeyring([old]), orgKey.toString("base64"), `audit-chain:${org.id}`);
    await db.updateTable("audit_chain").set({ mac_key: underOld }).where("org_id", "=", org.id).execute();
    expect(await resealStaleOrgKeys(db)).toEqual({ resealed: 1 });
    expect((await db.selectFrom("audit_chain").select("mac_key").where("org_id", "=", org.id).executeTakeFirstOrThrow()).mac_key).toMatch(new RegExp(`^v1\\.${keyring.current.id}\\.`));
    expect(await resealStaleOrgKeys(db)).toEqual({ resealed: 0 });
    keyring.byId.delete(keyId(old));
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true, checked: 1 });
  });
});

describe("npm run audit:verify -- --org SLUG", () => {
  it("prints the count and head when the chain holds, the first mismatch when it does not", async () => {
    const { runAuditVerifyCommand } = await import("./cli");
    for (let i = 1; i <= 3; i++) await record("deploy.step");
    const good = await runAuditVerifyCommand(db, ["--org", "alpha"]);
    expect(good).toMatchObject({ exitCode: 0, output: { org: "alpha", ok: true, checked: 3, head_seq: 3, head_hash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    const second = await eventAt(2);
    await sql`update audit_event set target = 'edited' where id = ${second}`.execute(db);
    expect(await runAuditVerifyCommand(db, ["--org", "alpha"])).toMatchObject({ exitCode: 1, output: { ok: false, first_mismatch: { event_id: second, seq: 2, reason: "its target was changed" } } });
    expect(await runAuditVerifyCommand(db, ["--org", "nope"])).toMatchObject({ exitCode: 2, output: { error: "No organization has the address nope." } });
    expect(await runAuditVerifyCommand(db, [])).toMatchObject({ exitCode: 2, output: { error: "usage: npm run audit:verify -- --org SLUG" } });
    expect((await runAuditVerifyCommand(db, ["--orgg", "alpha"])).exitCode).toBe(2);
  });
});
