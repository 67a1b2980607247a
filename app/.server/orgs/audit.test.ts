import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { actorOf, auditEventsOf, createTestOrg, deletedUserLabel, type TestOrg } from "../../../test/factories/orgs";
import { createUser, type TestUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { processDeferredAccountWork } from "../accounts/deferred-work-worker";
import { logIn } from "../accounts/login";
import { deleteExpiredRows } from "../jobs/cleanup";
import { anonymizeActor, deleteExpiredAuditEvents, recordAuditEvent } from "./audit";
import { deleteExpiredChainPrefixes } from "./audit-chain/retention";
import { verifyAuditChain } from "./audit-chain/verify";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

let ada: TestUser, bob: TestUser, a: TestOrg, b: TestOrg;
beforeEach(async () => {
  [ada, bob] = await Promise.all([createUser(db, { email: "ada@example.com" }), createUser(db, { email: "bob@example.com" })]);
  a = await createTestOrg(db, { slug: "alpha", owner: ada, members: [{ user: bob, role: "member" }] });
  b = await createTestOrg(db, { slug: "bravo", owner: bob });
});

const record = (org: TestOrg, action: string, by: TestUser | null = ada, at?: Date) =>
  recordAuditEvent(db, { orgId: org.id, actor: by ? actorOf(by) : { userId: null, label: "API key gk_abc… (CI)" }, action, at });

describe("anonymizeActor", () => {
  it("renames the person in one org's history, or in all of them", async () => {
    await record(a, "in.alpha", bob);
    await record(b, "in.bravo", bob);
    await anonymizeActor(db, bob.id, a.id);
    expect(await auditEventsOf(db, a.id)).toEqual([expect.objectContaining({ actor_id: null, actor_label: deletedUserLabel(bob.id) })]);
    expect(await auditEventsOf(db, b.id)).toEqual([expect.objectContaining({ actor_id: bob.id, actor_label: bob.email })]);
    await anonymizeActor(db, bob.id);
    expect(await auditEventsOf(db, b.id)).toEqual([expect.objectContaining({ actor_id: null, actor_label: deletedUserLabel(bob.id) })]);
  });
});

describe("audit retention", () => {
  it("deletes events older than the retention period, across orgs, and keeps the rest", async () => {
    await record(a, "old", ada, daysAgo(400));
    await record(b, "old", bob, daysAgo(366));
    await record(a, "edge", ada, daysAgo(364));
    await record(a, "new", ada, daysAgo(1));
    expect(await deleteExpiredAuditEvents(db, 365, now)).toBe(2);
    // Each org whose oldest events went gets a checkpoint marking its chain's new start (audit-chain/).
    const remaining = async () => (await db.selectFrom("audit_event").select("action").where("action", "!=", "audit.checkpoint").orderBy("id").execute()).map((e) => e.action);
    expect(await remaining()).toEqual(["edge", "new"]);
    expect(await db.selectFrom("audit_event").select("org_id").where("action", "=", "audit.checkpoint").orderBy("org_id").execute()).toEqual([{ org_id: a.id }, { org_id: b.id }].sort((x, y) => x.org_id.localeCompare(y.org_id)));
    expect(await deleteExpiredAuditEvents(db, 365, now)).toBe(0);
    expect(await deleteExpiredAuditEvents(db, 30, now)).toBe(1);
  });

  it("removes a long expired prefix in batches, one checkpoint at its end, and the chain still verifies", async () => {
    // 4 and 6 expired events with batches of 2: the prefix ends inside a batch, and exactly at a batch's edge.
    for (const [org, expired] of [[a, 5], [b, 6]] as const) {
      for (let i = 0; i < expired; i++) await record(org, `old.${i}`, org === a ? ada : bob, daysAgo(400 - i));
      await record(org, "kept", org === a ? ada : bob, daysAgo(10));
    }
    expect(await deleteExpiredChainPrefixes(db, daysAgo(365), now, 2)).toBe(11);
    for (const org of [a, b]) {
      const left = (await auditEventsOf(db, org.id)).map((e) => e.action);
      expect(left.sort()).toEqual(["audit.checkpoint", "kept"]);
      expect(await verifyAuditChain(db, org.id, { batchSize: 2 })).toMatchObject({ ok: true });
    }
    const checkpoints = await db.selectFrom("audit_event").select(["org_id", "metadata"]).where("action", "=", "audit.checkpoint").execute();
    expect(checkpoints.map((c) => [c.org_id, (c.metadata as { removed_through_seq: number }).removed_through_seq]).sort()).toEqual(
      [[a.id, 5], [b.id, 6]].sort(),
    );
  });

  it("runs as part of the scheduled clean-up", async () => {
    await record(a, "old", ada, daysAgo(100));
    await record(a, "new", ada, daysAgo(10));
    expect(await deleteExpiredRows(db, 90, now)).toMatchObject({ auditEvents: 1 });
    expect((await auditEventsOf(db, a.id)).map((e) => e.action)).toEqual(["new", "audit.checkpoint"]);
  });
});

describe("failed logins", () => {
  it("records auth.login_failed in each of the person's orgs, without the password", async () => {
    const result = await logIn(db, bob.email, "a wrong password entirely", { ip: "203.0.113.9", userAgent: null }, now);
    expect(result).toEqual({ ok: false, reason: "invalid-credentials" });
    // Written by the worker, not while answering (the answer's timing must not tell a member from a stranger).
    expect(await db.selectFrom("audit_event").select("id").execute()).toHaveLength(0);
    await processDeferredAccountWork(db, undefined, now);
    for (const org of [a, b]) {
      const events = await auditEventsOf(db, org.id);
      expect(events).toEqual([expect.objectContaining({ action: "auth.login_failed", actor_id: null, target: bob.email, ip: "203.0.113.9", metadata: {} })]);
      expect(JSON.stringify(events)).not.toContain("wrong password");
    }
    await logIn(db, "nobody@example.com", "whatever it is", { ip: null, userAgent: null }, now);
    await processDeferredAccountWork(db, undefined, now);
    expect(await db.selectFrom("audit_event").select("id").execute()).toHaveLength(2);
  });
});
