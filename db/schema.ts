// The Database interface Kysely checks queries against. Hand-kept: update it in
// the same change as the migration that alters a table.
import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface RateLimitTable {
  key: string;
  window_start: Timestamp;
  count: ColumnType<number, number | undefined, number>;
  expires_at: Timestamp;
}

export interface DB {
  rate_limit: RateLimitTable;
}
