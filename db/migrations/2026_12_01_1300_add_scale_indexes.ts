import { sql, type Kysely } from "kysely";

// Indexes that keep each list, search and export flat as the tables grow
// (issue 16, docs/scale.md). Lists page with keyset cursors over
// (sort column, id), so each has a btree that matches its ORDER BY; substring
// searches (ILIKE '%…%') use trigram GIN indexes. "if not exists" throughout:
// another change may add an index of the same name for its own lookups.
const STATEMENTS = [
  sql`create extension if not exists pg_trgm`,
  // /admin/users: newest first, searched by email or name.
  sql`create index if not exists user_created_at_id_idx on "user" (created_at, id)`,
  sql`create index if not exists user_email_trgm_idx on "user" using gin (email gin_trgm_ops)`,
  sql`create index if not exists user_name_trgm_idx on "user" using gin (name gin_trgm_ops)`,
  // /admin/waitlist: every sortable column (nulls first ascending, so the
  // reverse scan gives the page's "descending, nulls last"), and the search.
  sql`create index if not exists waitlist_entry_created_at_id_idx on waitlist_entry (created_at, id)`,
  sql`create index if not exists waitlist_entry_email_id_idx on waitlist_entry (email, id)`,
  sql`create index if not exists waitlist_entry_name_id_idx on waitlist_entry (name nulls first, id)`,
  sql`create index if not exists waitlist_entry_company_id_idx on waitlist_entry (company nulls first, id)`,
  sql`create index if not exists waitlist_entry_confirmed_at_id_idx on waitlist_entry (confirmed_at nulls first, id)`,
  sql`create index if not exists waitlist_entry_invited_at_id_idx on waitlist_entry (invited_at nulls first, id)`,
  sql`create index if not exists waitlist_entry_email_trgm_idx on waitlist_entry using gin (email gin_trgm_ops)`,
  sql`create index if not exists waitlist_entry_name_trgm_idx on waitlist_entry using gin (name gin_trgm_ops)`,
  sql`create index if not exists waitlist_entry_company_trgm_idx on waitlist_entry using gin (company gin_trgm_ops)`,
  // /admin/emails (all, or one status), and a person's own messages in their export.
  sql`create index if not exists outbox_email_created_at_id_idx on outbox_email (created_at, id)`,
  sql`create index if not exists outbox_email_status_created_at_id_idx on outbox_email (status, created_at, id)`,
  sql`create index if not exists outbox_email_lower_to_address_idx on outbox_email (lower(to_address), created_at, id)`,
  // The audit history (all, one action, one actor, a date range) and its exports.
  sql`create index if not exists audit_event_org_created_at_id_idx on audit_event (org_id, created_at, id)`,
  sql`create index if not exists audit_event_org_action_created_at_id_idx on audit_event (org_id, action, created_at, id)`,
  sql`create index if not exists audit_event_actor_created_at_id_idx on audit_event (actor_id, created_at, id)`,
  // An org's members, oldest first, 100 to a page.
  sql`create index if not exists membership_org_created_at_user_idx on membership (org_id, created_at, user_id)`,
];

const INDEXES = [
  "user_created_at_id_idx",
  "user_email_trgm_idx",
  "user_name_trgm_idx",
  "waitlist_entry_created_at_id_idx",
  "waitlist_entry_email_id_idx",
  "waitlist_entry_name_id_idx",
  "waitlist_entry_company_id_idx",
  "waitlist_entry_confirmed_at_id_idx",
  "waitlist_entry_invited_at_id_idx",
  "waitlist_entry_email_trgm_idx",
  "waitlist_entry_name_trgm_idx",
  "waitlist_entry_company_trgm_idx",
  "outbox_email_created_at_id_idx",
  "outbox_email_status_created_at_id_idx",
  "outbox_email_lower_to_address_idx",
  "audit_event_org_created_at_id_idx",
  "audit_event_org_action_created_at_id_idx",
  "audit_event_actor_created_at_id_idx",
  "membership_org_created_at_user_idx",
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of STATEMENTS) await statement.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of INDEXES) await sql`drop index if exists ${sql.ref(name)}`.execute(db);
  // The extension stays: something else may use it, and it holds no data.
}
