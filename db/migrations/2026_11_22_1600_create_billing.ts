import { sql, type Kysely } from "kysely";

// Billing (hosted mode): the checkouts this server issued, the subscriptions
// LemonSqueezy reports, and the log of its webhook events. Events are stored
// once (unique dedupe key) when they arrive and applied later by a worker that
// claims them with FOR UPDATE SKIP LOCKED, a claim token and a lease, like the
// email outbox. The org keeps a copy of its current subscription's status so
// every org page can tell full from read-only access without a join.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("billing_checkout")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (col) => col.notNull().references("org.id").onDelete("cascade"))
    .addColumn("variant_id", "text", (col) => col.notNull())
    .addColumn("seats", "integer", (col) => col.notNull())
    .addColumn("created_by", "uuid", (col) => col.references("user.id").onDelete("set null"))
    .addColumn("provider_checkout_id", "text")
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    // Set when a subscription created through this checkout is linked to the org.
    .addColumn("provider_subscription_id", "text")
    .execute();
  await db.schema.createIndex("billing_checkout_org_id_idx").on("billing_checkout").column("org_id").execute();

  await db.schema
    .createTable("subscription")
    .addColumn("id", "uuid", (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn("org_id", "uuid", (col) => col.notNull().references("org.id").onDelete("cascade"))
    .addColumn("provider", "text", (col) => col.notNull().defaultTo("lemonsqueezy"))
    .addColumn("provider_subscription_id", "text", (col) => col.notNull())
    .addColumn("provider_customer_id", "text")
    .addColumn("provider_order_id", "text")
    .addColumn("checkout_id", "uuid", (col) => col.references("billing_checkout.id").onDelete("set null"))
    .addColumn("variant_id", "text", (col) => col.notNull())
    .addColumn("plan", "text", (col) => col.notNull())
    .addColumn("status", "text", (col) => col.notNull())
    .addColumn("seats", "integer", (col) => col.notNull())
    .addColumn("renews_at", "timestamptz")
    .addColumn("ends_at", "timestamptz")
    .addColumn("trial_ends_at", "timestamptz")
    .addColumn("test_mode", "boolean", (col) => col.notNull().defaultTo(false))
    // The provider's own updated_at: an update older than this one never wins.
    .addColumn("provider_updated_at", "timestamptz", (col) => col.notNull())
    .addColumn("created_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint("subscription_provider_id_key", ["provider", "provider_subscription_id"])
    .execute();
  await db.schema.createIndex("subscription_org_id_idx").on("subscription").column("org_id").execute();

  await db.schema
    .createTable("webhook_event")
    .addColumn("id", "bigserial", (col) => col.primaryKey())
    .addColumn("source", "text", (col) => col.notNull())
    // meta.webhook_id when the provider sends one, else the SHA-256 of the body.
    .addColumn("dedupe_key", "text", (col) => col.notNull())
    .addColumn("event_name", "text", (col) => col.notNull())
    // The exact bytes that were signed; null once purged (they can name the buyer).
    .addColumn("body", "text")
    .addColumn("resource_type", "text")
    .addColumn("resource_id", "text")
    .addColumn("org_id", "uuid", (col) => col.references("org.id").onDelete("set null"))
    .addColumn("status", "text", (col) => col.notNull().defaultTo("pending").check(sql`status in ('pending', 'processing', 'applied', 'skipped', 'failed')`))
    // What applying it did, in words, for the operator's log.
    .addColumn("outcome", "text")
    .addColumn("error", "text")
    .addColumn("attempts", "integer", (col) => col.notNull().defaultTo(0))
    .addColumn("next_attempt_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("claim_token", "uuid")
    .addColumn("locked_until", "timestamptz")
    // How many times the provider delivered it (retries, duplicates).
    .addColumn("deliveries", "integer", (col) => col.notNull().defaultTo(1))
    .addColumn("received_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("last_received_at", "timestamptz", (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn("processed_at", "timestamptz")
    .addUniqueConstraint("webhook_event_dedupe_key", ["source", "dedupe_key"])
    .execute();
  await sql`create index webhook_event_due_idx on webhook_event (next_attempt_at) where status in ('pending', 'processing')`.execute(db);
  await db.schema.createIndex("webhook_event_received_at_idx").on("webhook_event").column("received_at").execute();
  await db.schema.createIndex("webhook_event_resource_idx").on("webhook_event").columns(["resource_type", "resource_id"]).execute();

  await db.schema.alterTable("org").addColumn("billing_status", "text").addColumn("billing_ends_at", "timestamptz").execute();
  // Solo orgs made before plans had limits get the Solo seat limit.
  await sql`update org set seat_limit = 3 where plan = 'solo' and seat_limit is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("org").dropColumn("billing_ends_at").dropColumn("billing_status").execute();
  await db.schema.dropTable("webhook_event").execute();
  await db.schema.dropTable("subscription").execute();
  await db.schema.dropTable("billing_checkout").execute();
}
