// Substring searches (ILIKE '%…%') are served by trigram indexes, but the
// planner cannot tell how many rows a pattern matches (it guesses from the
// pattern's length), and for a capped count it then reads the whole table
// sooner than the index: at 100k waitlist entries, a 290 ms sequential scan
// where the trigram index answers in 7–30 ms. Inside this, sequential scans are
// a last resort, as they are to the scale-plans test.
import { sql } from "kysely";
import type { Database } from "../db";

export async function preferIndexes<T>(db: Database, work: (db: Database) => Promise<T>): Promise<T> {
  if (db.isTransaction) return work(db); // a caller's transaction keeps its own settings
  return db.transaction().execute(async (tx) => {
    await sql`set local enable_seqscan = off`.execute(tx);
    return work(tx);
  });
}
