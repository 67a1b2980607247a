// A scheduled job that works in many short transactions (so it never holds
// locks or one transaction open for long, whatever the size of the tables)
// still runs in one process at a time: that process holds the job's lease row.
// A process that dies leaves a lease that runs out by itself; a job that runs
// long renews its lease between steps and stops if it has lost it.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Database } from "../db";

export type Lease = {
  /** Extends the lease; false when another process holds it now (stop, then). */
  renew: () => Promise<boolean>;
};

export async function runUnderLease<T>(
  db: Database,
  jobName: string,
  leaseMs: number,
  job: (lease: Lease) => Promise<T>,
): Promise<{ ran: true; result: T } | { ran: false }> {
  const holder = randomUUID();
  const until = sql<Date>`clock_timestamp() + ${`${leaseMs} milliseconds`}::interval`;
  // The database's clock for every replica alike: no two hosts' clocks compared.
  const claimed = await sql<{ holder: string }>`
    insert into job_lease (name, holder, expires_at) values (${jobName}, ${holder}, ${until})
    on conflict (name) do update set holder = excluded.holder, expires_at = excluded.expires_at
    where job_lease.expires_at <= clock_timestamp()
    returning holder`.execute(db);
  if (claimed.rows.length === 0) return { ran: false };
  const renew = async () => {
    const renewed = await db.updateTable("job_lease").set({ expires_at: until }).where("name", "=", jobName).where("holder", "=", holder).executeTakeFirst();
    return renewed.numUpdatedRows > 0n;
  };
  try {
    return { ran: true, result: await job({ renew }) };
  } finally {
    await db.deleteFrom("job_lease").where("name", "=", jobName).where("holder", "=", holder).execute();
  }
}
