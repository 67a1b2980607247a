// Every list, search, export and batch of issue 16 is read through an index
// that matches its ORDER BY: each statement they send is EXPLAINed with
// sequential scans and explicit sorts discouraged, which the planner only
// falls back on when no index can serve the query. A Sort left in the plan of
// a paged list would mean reading (and sorting) every matching row to show a
// page: the cost that grew with the table (docs/scale.md).
import { Kysely, PostgresDialect, type CompiledQuery } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DB } from "../../../db/schema";
import { actorOf, createTestOrg } from "../../../test/factories/orgs";
import { createUser, type TestUser } from "../../../test/factories/users";
import { truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { exportUserDocument } from "../accounts/export";
import { listUsers } from "../accounts/user-list";
import { listEmailPage } from "../email/outbox-log";
import { fanOutNoticeBatch } from "../notices/fanout";
import { publishNotice } from "../notices/notices";
import { deleteExpiredAuditEvents, recordAuditEvent } from "../orgs/audit";
import { recordDueCheckpoints } from "../orgs/audit-chain/checkpoints";
import { verifyAuditChain } from "../orgs/audit-chain/verify";
import { auditEventBatches, listAuditEvents } from "../orgs/audit-history";
import { listMemberPage } from "../orgs/member-list";
import { listWaitlist, parseWaitlistQuery, waitlistBatches } from "../waitlist/admin";
import { SORTABLE } from "../../utils/waitlist-query";

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
let orgId: string;
let entryId: string;
let eventId: string;

beforeAll(async () => {
  await truncateAll(db);
  user = await createUser(db, { email: "plans@example.com" });
  orgId = (await createTestOrg(db, { slug: "plans", owner: user })).id;
  await recordAuditEvent(db, { orgId, actor: actorOf(user), action: "member.invited" });
  eventId = String((await db.selectFrom("audit_event").select("id").executeTakeFirstOrThrow()).id);
  entryId = (await db.insertInto("waitlist_entry").values({ email: "early@example.com", name: "Early" }).returning("id").executeTakeFirstOrThrow()).id;
});
afterAll(() => db.destroy());

type PlanNode = { "Node Type": string; "Relation Name"?: string; "Index Name"?: string; Plans?: PlanNode[] };
const flatten = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(flatten)];

async function planOf(query: CompiledQuery): Promise<PlanNode[]> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    await client.query("set local enable_seqscan = off");
    await client.query("set local enable_sort = off");
    const { rows } = await client.query<{ "QUERY PLAN": Array<{ Plan: PlanNode }> }>(`explain (format json) ${query.sql}`, query.parameters as unknown[]);
    return flatten(rows[0]!["QUERY PLAN"][0]!.Plan);
  } finally {
    await client.query("rollback");
    client.release();
  }
}

/**
 * Runs `run`, then checks each read it sent: no sequential scan, and no sort in
 * a statement with a LIMIT (a page or a batch: it must stop early, not sort
 * everything first) unless `sorts` allows it. Whole small sections (a person's
 * sessions) may sort.
 */
async function expectServedByIndexes(run: () => Promise<unknown>, options: { sorts?: boolean } = {}) {
  recorded = [];
  await run();
  const reads = recorded.filter((q) => /^\s*(select|with)\b/i.test(q.sql) && /\bfrom\b/i.test(q.sql));
  expect(reads.length).toBeGreaterThan(0);
  for (const read of reads) {
    const plan = await planOf(read);
    const offending = plan.filter((node) => node["Node Type"] === "Seq Scan" || (!options.sorts && /\blimit\b/i.test(read.sql) && node["Node Type"] === "Sort"));
    expect(offending.map((node) => `${node["Node Type"]} ${node["Relation Name"] ?? ""}`), read.sql).toEqual([]);
  }
}

const drain = async (batches: AsyncIterable<unknown>) => {
  for await (const batch of batches) void batch;
};

describe("lists page through indexes that match their order", () => {
  it("org members, first and later pages", async () => {
    await expectServedByIndexes(() => listMemberPage(db, orgId));
    await expectServedByIndexes(() => listMemberPage(db, orgId, { after: user.id }));
  });

  it("the audit history, unfiltered and by each filter, and its exports", async () => {
    await expectServedByIndexes(() => listAuditEvents(db, orgId, {}, { limit: 50 }));
    await expectServedByIndexes(() => listAuditEvents(db, orgId, {}, { limit: 50, before: eventId }));
    await expectServedByIndexes(() => listAuditEvents(db, orgId, { action: "member.invited" }, { limit: 50 }));
    await expectServedByIndexes(() => listAuditEvents(db, orgId, { actorId: user.id }, { limit: 50 }));
    await expectServedByIndexes(() => listAuditEvents(db, orgId, { from: new Date("2026-01-01"), to: new Date("2026-01-08") }, { limit: 50 }));
    await expectServedByIndexes(() => drain(auditEventBatches(db, orgId, {}, 1)));
  });

  it("the operator's users, emails and waitlist (every sort, both ways)", async () => {
    await expectServedByIndexes(() => listUsers(db));
    await expectServedByIndexes(() => listUsers(db, { before: user.id }));
    await expectServedByIndexes(() => listEmailPage(db));
    await expectServedByIndexes(() => listEmailPage(db, { status: "failed" }));
    for (const sort of SORTABLE) {
      for (const dir of ["asc", "desc"]) {
        await expectServedByIndexes(() => listWaitlist(db, parseWaitlistQuery(new URLSearchParams({ sort, dir }))));
        await expectServedByIndexes(() => listWaitlist(db, parseWaitlistQuery(new URLSearchParams({ sort, dir, after: entryId }))));
      }
    }
    await expectServedByIndexes(() => drain(waitlistBatches(db, parseWaitlistQuery(new URLSearchParams()), 1)));
  });

  it("the personal export and a notice's fan-out", async () => {
    await expectServedByIndexes(() => drain(exportUserDocument(db, user.id, new Date(), 1)));
    await publishNotice(db, { title: "T", body: "B", link: null, createdBy: user.id });
    await expectServedByIndexes(() => fanOutNoticeBatch(db, { batchSize: 1 }));
  });
});

describe("the audit chain", () => {
  it("verification walks it by (org_id, seq); checkpoints find due orgs and retention finds expired events through indexes", async () => {
    await expectServedByIndexes(() => verifyAuditChain(db, orgId, { batchSize: 1 }));
    await expectServedByIndexes(() => recordDueCheckpoints(db, { now: new Date(Date.now() + 86_400_000), batchSize: 1 }), { sorts: true });
    await expectServedByIndexes(() => deleteExpiredAuditEvents(db, 0, new Date(Date.now() + 86_400_000)), { sorts: true });
  });
});

describe("searches use the trigram indexes", () => {
  it("substring searches of users, members and the waitlist", async () => {
    // A search reads the few matching rows through the trigram index, then sorts those.
    await expectServedByIndexes(() => listUsers(db, { search: "lans@exa" }), { sorts: true });
    await expectServedByIndexes(() => listMemberPage(db, orgId, { search: "lans@exa" }), { sorts: true });
    await expectServedByIndexes(() => listWaitlist(db, parseWaitlistQuery(new URLSearchParams({ q: "early" }))), { sorts: true });
  });
});
