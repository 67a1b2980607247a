// Events (and their delivery log) are kept 30 days: ten times the retry
// window, long enough to resend by hand. user.deleted, which names nothing but
// an id, is kept a year so an operator can still show that the apps were told.
import type { Database } from "../db";

export const EVENT_RETENTION_DAYS = 30;
export const DELETION_PROOF_RETENTION_DAYS = 365;
const PER_RUN = 10_000;

export async function deleteExpiredEvents(db: Database, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - EVENT_RETENTION_DAYS * 86_400_000);
  const proofCutoff = new Date(now.getTime() - DELETION_PROOF_RETENTION_DAYS * 86_400_000);
  const result = await db
    .deleteFrom("outbound_event")
    .where("id", "in", (eb) =>
      eb
        .selectFrom("outbound_event")
        .select("id")
        .where("created_at", "<", cutoff)
        .where((w) => w.or([w("type", "!=", "user.deleted"), w("created_at", "<", proofCutoff)]))
        .limit(PER_RUN),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
