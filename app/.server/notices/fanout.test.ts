import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createUser } from "../../../test/factories/users";
import { connect, truncateAll, workerDatabaseUrl } from "../../../test/setup/databases";
import { fanOutNoticeBatch } from "./fanout";
import { publishNotice } from "./notices";

const db = connect(workerDatabaseUrl());
afterAll(() => db.destroy());
beforeEach(() => truncateAll(db));

const now = new Date("2026-11-22T12:00:00Z");
const input = { title: "Policy update", body: "We changed a thing.", link: "/privacy" as string | null, createdBy: "" };

let operatorId: string;
beforeEach(async () => {
  operatorId = (await createUser(db, { email: "operator@example.com", now: new Date(now.getTime() - 86_400_000) })).id;
  // 47 more active accounts, created before the notice.
  await sql`
    insert into "user" (email, password_hash, name, email_verified_at, created_at)
    select 'person' || n || '@example.com', 'x', 'Person ' || n, ${now}, ${new Date(now.getTime() - 3_600_000)} from generate_series(1, 47) as n
  `.execute(db);
});

const recipients = async () => (await db.selectFrom("outbox_email").select("to_address").where("template", "=", "policy-notice").execute()).map((r) => r.to_address);
const progress = () => db.selectFrom("notice").select(["emails_queued", "emails_refused", "fanout_done_at", "fanout_cursor"]).executeTakeFirstOrThrow();

describe("fanOutNoticeBatch", () => {
  it("queues a notice's emails in committed batches, moving its cursor, until every account has one", async () => {
    await publishNotice(db, { ...input, createdBy: operatorId }, now);
    const claimed: number[] = [];
    for (let pass = await fanOutNoticeBatch(db, { batchSize: 10, now }); pass.claimed > 0 || pass.noticeId; pass = await fanOutNoticeBatch(db, { batchSize: 10, now })) {
      claimed.push(pass.claimed);
      if (!pass.done) expect((await progress()).emails_queued).toBe(claimed.reduce((a, b) => a + b, 0)); // visible between batches
    }
    expect(claimed).toEqual([10, 10, 10, 10, 8]);
    const sent = await recipients();
    expect(sent).toHaveLength(48);
    expect(new Set(sent).size).toBe(48);
    expect(await progress()).toMatchObject({ emails_queued: 48, emails_refused: 0, fanout_done_at: now });
    // Done: nothing more to do, nothing sent twice.
    expect(await fanOutNoticeBatch(db, { batchSize: 10, now })).toEqual({ claimed: 0, noticeId: null, done: false });
    expect(await recipients()).toHaveLength(48);
  });

  it("leaves out accounts created after publication (they see the banner)", async () => {
    await publishNotice(db, { ...input, createdBy: operatorId }, now);
    await createUser(db, { email: "later@example.com", now: new Date(now.getTime() + 1000) });
    while ((await fanOutNoticeBatch(db, { batchSize: 100, now })).noticeId);
    expect(await recipients()).not.toContain("later@example.com");
    expect(await recipients()).toHaveLength(48);
  });

  it("resumes after a failed batch from its last committed cursor: no one skipped, no one twice", async () => {
    await publishNotice(db, { ...input, createdBy: operatorId }, now);
    await fanOutNoticeBatch(db, { batchSize: 10, now });
    // The next batch fails halfway through its transaction (as a crash would end it).
    await sql`alter table outbox_email add constraint refuse_everything check (to_address = 'nobody') not valid`.execute(db);
    await expect(fanOutNoticeBatch(db, { batchSize: 10, now })).rejects.toThrow();
    expect(await progress()).toMatchObject({ emails_queued: 10, fanout_done_at: null });
    await sql`alter table outbox_email drop constraint refuse_everything`.execute(db);
    while ((await fanOutNoticeBatch(db, { batchSize: 10, now })).noticeId);
    const sent = await recipients();
    expect([sent.length, new Set(sent).size]).toEqual([48, 48]);
  });

  it("lets several workers run at once without sending anyone two", async () => {
    await publishNotice(db, { ...input, createdBy: operatorId }, now);
    const workers = Array.from({ length: 4 }, () => connect(workerDatabaseUrl()));
    try {
      await Promise.all(
        workers.map(async (worker) => {
          for (let i = 0; i < 50; i++) {
            const pass = await fanOutNoticeBatch(worker, { batchSize: 5, now });
            if (pass.noticeId === null && (await progress()).fanout_done_at) return;
          }
        }),
      );
    } finally {
      await Promise.all(workers.map((w) => w.destroy()));
    }
    const sent = await recipients();
    expect([sent.length, new Set(sent).size]).toEqual([48, 48]);
    expect(await progress()).toMatchObject({ emails_queued: 48, fanout_done_at: now });
  });

  it("fans out notices one after another, oldest first", async () => {
    await publishNotice(db, { ...input, title: "First", createdBy: operatorId }, now);
    await publishNotice(db, { ...input, title: "Second", createdBy: operatorId }, new Date(now.getTime() + 1000));
    while ((await fanOutNoticeBatch(db, { batchSize: 30, now })).noticeId);
    const subjects = await db.selectFrom("outbox_email").select("subject").orderBy("created_at").orderBy("id").execute();
    expect(subjects).toHaveLength(96);
    expect(subjects.filter((s) => s.subject.endsWith("First"))).toHaveLength(48);
  });
});
