// Deletes the rows a condition picks a batch at a time, each batch one
// statement (its own short transaction): clearing what a busy week or a long
// outage left behind never holds row locks or one transaction open for longer
// than a batch takes, and the cost of a batch does not grow with the table.
import { sql, type RawBuilder } from "kysely";
import type { Database } from "../db";

export const DELETE_BATCH_SIZE = 5_000;

export async function deleteInBatches(
  db: Database,
  table: string,
  condition: RawBuilder<unknown>,
  options: { batchSize?: number; betweenBatches?: () => Promise<boolean> } = {},
): Promise<number> {
  const batchSize = options.batchSize ?? DELETE_BATCH_SIZE;
  let deleted = 0;
  for (;;) {
    // By physical row id: one shape for every table, whatever its key.
    const result = await sql`
      delete from ${sql.table(table)} where ctid = any(array(
        select ctid from ${sql.table(table)} where ${condition} limit ${batchSize}))`.execute(db);
    const count = Number(result.numAffectedRows ?? 0n);
    deleted += count;
    if (count < batchSize) return deleted;
    if (options.betweenBatches && !(await options.betweenBatches())) return deleted;
  }
}
