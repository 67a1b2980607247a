// Runs the work login and recovery requests deferred (deferred-work.ts). Each
// row is claimed with SKIP LOCKED and done in its own transaction, so any
// number of processes can run this and a row is done once. A row whose work
// fails (the database went away mid-way) is retried later, a few times.
import type { Logger } from "pino";
import type { Database } from "../db";
import { startPollingLoop, type PollingLoop } from "../jobs/polling-loop";
import { recordAuditEvent } from "../orgs/audit";
import { issuePasswordReset } from "./password-reset";

const BATCH_SIZE = 20;
const MAX_ATTEMPTS = 5;

type DeferredRow = { id: string; kind: "failed-login" | "password-reset"; email: string; ip: string | null; requested_at: Date; attempts: number };

export async function processDeferredAccountWork(db: Database, logger?: Logger, now = new Date()): Promise<{ claimed: number }> {
  let claimed = 0;
  while (claimed < BATCH_SIZE) {
    const claim: { row?: DeferredRow } = {};
    try {
      await db.transaction().execute(async (tx) => {
        claim.row = await tx
          .deleteFrom("deferred_account_work")
          .where("id", "=", (eb) =>
            eb.selectFrom("deferred_account_work").select("id").where("not_before", "<=", now).orderBy("id").limit(1).forUpdate().skipLocked(),
          )
          .returning(["id", "kind", "email", "ip", "requested_at", "attempts"])
          .executeTakeFirst();
        if (claim.row) await doDeferredWork(tx, claim.row, now);
      });
    } catch (error) {
      // No row could be claimed (the database is away): the polling loop logs it and tries again.
      if (!claim.row) throw error;
      // The row's work failed and rolled back, so the row is there again.
      await postpone(db, claim.row, now, error as Error, logger);
    }
    if (!claim.row) break;
    claimed++;
  }
  return { claimed };
}

async function doDeferredWork(tx: Database, row: DeferredRow, now: Date): Promise<void> {
  if (row.kind === "failed-login") await recordFailedLogin(tx, row);
  else await issuePasswordReset(tx, row.email, row.requested_at, now);
}

// A wrong password for a member is a security event in each of their orgs; an
// unknown address is nobody's event.
async function recordFailedLogin(tx: Database, row: DeferredRow): Promise<void> {
  const orgs = await tx
    .selectFrom("membership")
    .innerJoin("user", "user.id", "membership.user_id")
    .select("membership.org_id")
    .where("user.email", "=", row.email)
    .execute();
  for (const { org_id } of orgs) {
    await recordAuditEvent(tx, { orgId: org_id, actor: { userId: null, label: "Unknown (failed login)" }, action: "auth.login_failed", target: row.email, ip: row.ip, at: row.requested_at });
  }
}

// It waits a little longer each time and is given up after MAX_ATTEMPTS, so
// one bad row never holds up the others.
async function postpone(db: Database, row: DeferredRow, now: Date, error: Error, logger?: Logger): Promise<void> {
  if (row.attempts + 1 >= MAX_ATTEMPTS) {
    await db.deleteFrom("deferred_account_work").where("id", "=", row.id).execute();
    logger?.error({ kind: row.kind, err: error.message }, "deferred account work given up");
    return;
  }
  logger?.warn({ kind: row.kind, err: error.message }, "deferred account work failed; will retry");
  await db
    .updateTable("deferred_account_work")
    .set({ attempts: row.attempts + 1, not_before: new Date(now.getTime() + 2 ** row.attempts * 30_000) })
    .where("id", "=", row.id)
    .execute();
}

export function startDeferredAccountWorker(db: Database, logger: Logger): PollingLoop {
  return startPollingLoop({ pass: () => processDeferredAccountWork(db, logger), batchSize: BATCH_SIZE, logger, failureMessage: "deferred account work failed" });
}
