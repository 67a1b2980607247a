// The Database interface Kysely checks queries against. Hand-kept: update it in
// the same change as the migration that alters a table.
import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RateLimitTable {
  key: string;
  window_start: Timestamp;
  count: ColumnType<number, number | undefined, number>;
  expires_at: Timestamp;
}

export type OutboxEmailStatus = "queued" | "sending" | "sent" | "failed";

export interface OutboxEmailTable {
  id: Generated<string>;
  template: string;
  to_address: string;
  to_name: string | null;
  subject: string;
  html: string | null;
  text_body: string | null;
  status: ColumnType<OutboxEmailStatus, OutboxEmailStatus | undefined, OutboxEmailStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  next_attempt_at: DefaultedTimestamp;
  claim_token: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  sent_at: Timestamp | null;
}

export interface DB {
  rate_limit: RateLimitTable;
  outbox_email: OutboxEmailTable;
}
