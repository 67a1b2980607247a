// Scheduled jobs run in every process; this makes sure only one process runs a
// given job at a time. The lock is transaction-scoped, so it is released even if
// the process dies, and a process that does not get it simply skips this round.
import { sql } from "kysely";
import type { Database } from "../db";

export async function runExclusively<T>(db: Database, jobName: string, job: (trx: Database) => Promise<T>): Promise<{ ran: true; result: T } | { ran: false }> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext(${`gatehouse:job:${jobName}`})) as locked`.execute(trx);
    if (!rows[0]?.locked) return { ran: false as const };
    return { ran: true as const, result: await job(trx) };
  });
}
