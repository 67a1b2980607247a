// Billing for integration tests: an org with a checkout this server "issued"
// (the row startCheckout writes), and helpers to read what billing did.
import type { Database } from "../../app/.server/db";
import { createTestOrg, type TestOrg } from "./orgs";
import type { TestUser } from "./users";

export type OrgWithCheckout = TestOrg & { checkoutId: string; customData: { org_id: string; checkout_id: string } };

/** A Solo org (hosted), and a checkout issued for it: the custom data a real purchase would carry. */
export async function createOrgWithCheckout(db: Database, options: { slug?: string; owner?: TestUser; members?: NonNullable<Parameters<typeof createTestOrg>[1]>["members"] } = {}): Promise<OrgWithCheckout> {
  const org = await createTestOrg(db, { slug: options.slug ?? "acme", plan: "solo", seatLimit: 3, owner: options.owner, members: options.members });
  const checkout = await db.insertInto("billing_checkout").values({ org_id: org.id, variant_id: "7001", seats: 5, created_by: options.owner?.id ?? null }).returning("id").executeTakeFirstOrThrow();
  return { ...org, checkoutId: checkout.id, customData: { org_id: org.id, checkout_id: checkout.id } };
}

export async function orgBilling(db: Database, orgId: string) {
  return db.selectFrom("org").select(["plan", "seat_limit", "billing_status", "billing_ends_at"]).where("id", "=", orgId).executeTakeFirstOrThrow();
}

export async function webhookEvents(db: Database) {
  return db.selectFrom("webhook_event").select(["id", "event_name", "status", "outcome", "error", "attempts", "deliveries", "org_id", "resource_type", "resource_id"]).orderBy("id").execute();
}

export async function billingAuditActions(db: Database, orgId: string): Promise<string[]> {
  const rows = await db.selectFrom("audit_event").select("action").where("org_id", "=", orgId).where("action", "like", "billing.%").orderBy("id").execute();
  return rows.map((r) => r.action);
}
