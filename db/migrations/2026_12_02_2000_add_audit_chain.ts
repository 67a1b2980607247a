import { sql, type Kysely } from "kysely";

// Each org's audit events become a hash chain (docs/decisions/0019). Every new
// event gets its place in the org's chain (seq), the hash of the event before
// it and its own hash; the per-field commitments (keyed hashes, never the
// values) are what the hash covers, so the purge can erase a person and the
// chain still verifies.
//
// Events written before this migration are left as they are (seq null): the
// keyed hashes need a key that lives outside the database, which a migration
// does not have. Each org's chain starts with its first event after the
// upgrade; verification reports the older events as "from before the chain".
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("audit_chain")
    .addColumn("org_id", "uuid", (col) => col.primaryKey().references("org.id").onDelete("cascade"))
    // The org's random MAC key, encrypted with SECRETS_KEY (never stored in the clear).
    .addColumn("mac_key", "text", (col) => col.notNull())
    // The last event's place and hash: the row every append locks.
    .addColumn("seq", "bigint", (col) => col.notNull().defaultTo(0))
    .addColumn("head_hash", "bytea")
    // Where the chain held in the table starts (retention moves it forward).
    .addColumn("start_seq", "bigint", (col) => col.notNull().defaultTo(1))
    .addColumn("start_prev_hash", "bytea")
    // The last checkpoint event, so the periodic job skips orgs with nothing new.
    .addColumn("checkpoint_seq", "bigint", (col) => col.notNull().defaultTo(0))
    .addColumn("checkpoint_at", "timestamptz")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .alterTable("audit_event")
    .addColumn("seq", "bigint")
    .addColumn("prev_hash", "bytea")
    .addColumn("hash", "bytea")
    .addColumn("commitments", "bytea")
    .execute();
  // Verification walks an org's chain in order; unique, so two appends can never share a place.
  await sql`create unique index audit_event_org_seq_idx on audit_event (org_id, seq) where seq is not null`.execute(db);
  // The events from before the chain, counted by verification: this index only ever shrinks.
  await sql`create index audit_event_unchained_idx on audit_event (org_id, id) where seq is null`.execute(db);
  // Orgs with events since their last checkpoint, for the periodic job.
  await sql`create index audit_chain_uncheckpointed_idx on audit_chain (org_id) where seq > checkpoint_seq`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index audit_event_unchained_idx`.execute(db);
  await sql`drop index audit_event_org_seq_idx`.execute(db);
  await db.schema.alterTable("audit_event").dropColumn("seq").dropColumn("prev_hash").dropColumn("hash").dropColumn("commitments").execute();
  await db.schema.dropTable("audit_chain").execute();
}
