// Substring searches (ILIKE '%…%') are served by trigram indexes, but the
// planner cannot tell how many rows a pattern matches (it guesses from the
// pattern's length), so it picks plans that fit the guess, not the data:
// - for a capped count it reads the whole table sooner than the index (at
//   100k waitlist entries, a 290 ms sequential scan where the trigram index
//   answers in 7–30 ms);
// - for a page in date order it walks the date index and filters, which is
//   quick when matches are many and reads most of the table when they are few.
// So a search first counts its matches through the trigram indexes (capped),
// and when they are few (SPARSE_MATCHES or fewer) reads them all through the
// same indexes and sorts that handful; when they are many, the walk finds a
// page within a few thousand rows. Either way a page costs what its matches
// cost, not what the table does.
import { sql } from "kysely";
import type { Database } from "../db";

/**
 * Whether the trigram indexes can narrow a search at all: a pattern needs
 * three characters in a row to give them a trigram. A shorter one matches
 * most rows anyway, which walking the sort's index finds at once.
 */
export const narrowsByTrigrams = (search: string) => [...search].length >= 3;

/** At most this many matches: collected through the trigram index and sorted. */
export const SPARSE_MATCHES = 1000;

/**
 * Runs `work` with sequential scans as a last resort, as they are to the
 * scale-plans test; `bitmapOnly` also rules out walking a b-tree in order, so
 * a search reads its matches through the trigram indexes.
 */
export async function preferIndexes<T>(db: Database, work: (db: Database) => Promise<T>, options: { bitmapOnly?: boolean } = {}): Promise<T> {
  if (db.isTransaction) return work(db); // a caller's transaction keeps its own settings
  return db.transaction().execute(async (tx) => {
    await sql`set local enable_seqscan = off`.execute(tx);
    if (options.bitmapOnly) await sql`set local enable_indexscan = off`.execute(tx);
    return work(tx);
  });
}
