// A subscription as LemonSqueezy reports it (from a webhook or from its API)
// becomes the org's plan, seats and access here, in one transaction:
//
// 1. The subscription must belong to our store and sell a plan we know.
// 2. It must belong to an org: already linked, or carrying the custom data of
//    a checkout this server issued for that org. Nothing else grants anything.
// 3. It is written only if its updated_at is not older than what is stored, so
//    a late, older update never wins (PostgreSQL compares the provider's own
//    timestamps, microseconds included).
// 4. The org's current subscription (one that grants access, else the newest)
//    sets org.plan, seat_limit, billing_status and billing_ends_at, and every
//    change is recorded in the org's audit history.
import { sql } from "kysely";
import type { Database } from "../db";
import { recordAuditEvent, type Actor } from "../orgs/audit";
import { statusGrantsAccess } from "./plans";
import type { CheckoutReference, SubscriptionSnapshot } from "./resources";
import { planForVariant, type BillingSettings } from "./settings";
import { subscriptionUpdated } from "../events/domain-events";

export const PROVIDER = "lemonsqueezy";
export const PROVIDER_ACTOR: Actor = { userId: null, label: "LemonSqueezy" };

export type ApplyOutcome =
  | { applied: true; orgId: string; changed: boolean; summary: string }
  | { applied: false; orgId: string | null; reason: "other-store" | "unknown-variant" | "no-org" | "stale"; summary: string };

type ApplyContext = {
  settings: BillingSettings;
  /** The custom data that came with the event, if any. */
  reference: CheckoutReference | null;
  /** What reported it, for the audit history: "webhook subscription_updated", "reconciliation". */
  source: string;
  now?: Date;
};

/** Which org a subscription belongs to, if we can prove it. */
async function resolveOrg(tx: Database, snapshot: SubscriptionSnapshot, reference: CheckoutReference | null) {
  const linked = await tx
    .selectFrom("subscription")
    .select(["org_id", "checkout_id"])
    .where("provider", "=", PROVIDER)
    .where("provider_subscription_id", "=", snapshot.providerSubscriptionId)
    .executeTakeFirst();
  if (linked) return { orgId: linked.org_id, checkoutId: linked.checkout_id };
  if (!reference) return null;
  // Only a checkout we issued, for that very org, and not already used by
  // another subscription, links a subscription to an org.
  const checkout = await tx
    .selectFrom("billing_checkout")
    .select(["id", "org_id"])
    .where("id", "=", reference.checkoutId)
    .where("org_id", "=", reference.orgId)
    .where((eb) => eb.or([eb("provider_subscription_id", "is", null), eb("provider_subscription_id", "=", snapshot.providerSubscriptionId)]))
    .executeTakeFirst();
  return checkout ? { orgId: checkout.org_id, checkoutId: checkout.id } : null;
}

/** Call inside a transaction (the caller's: the worker marks its event in the same one). */
export async function applySubscriptionSnapshot(tx: Database, snapshot: SubscriptionSnapshot, context: ApplyContext): Promise<ApplyOutcome> {
  const now = context.now ?? new Date();
  const label = `subscription ${snapshot.providerSubscriptionId}`;
  if (snapshot.storeId !== context.settings.storeId) {
    return { applied: false, orgId: null, reason: "other-store", summary: `${label} belongs to store ${snapshot.storeId}, not ours (${context.settings.storeId})` };
  }
  const plan = planForVariant(context.settings, snapshot.variantId);
  if (!plan) {
    return { applied: false, orgId: null, reason: "unknown-variant", summary: `${label} is for variant ${snapshot.variantId}, which LEMONSQUEEZY_TEAM_VARIANT_IDS does not list` };
  }

  const owner = await resolveOrg(tx, snapshot, context.reference);
  if (!owner) {
    return { applied: false, orgId: null, reason: "no-org", summary: `${label} belongs to no org: it was not bought through a checkout this server issued` };
  }
  // Every change to one org's billing is serialised on its row (as membership changes are).
  const org = await tx.selectFrom("org").select("id").where("id", "=", owner.orgId).forUpdate().executeTakeFirst();
  if (!org) return { applied: false, orgId: null, reason: "no-org", summary: `${label} belonged to an org that no longer exists` };

  const before = await tx
    .selectFrom("subscription")
    .select(["status", "seats", "variant_id", "renews_at", "ends_at"])
    .where("provider", "=", PROVIDER)
    .where("provider_subscription_id", "=", snapshot.providerSubscriptionId)
    .executeTakeFirst();

  const values = {
    org_id: owner.orgId,
    provider: PROVIDER,
    provider_subscription_id: snapshot.providerSubscriptionId,
    provider_customer_id: snapshot.customerId,
    provider_order_id: snapshot.orderId,
    checkout_id: owner.checkoutId,
    variant_id: snapshot.variantId,
    plan,
    status: snapshot.status,
    seats: snapshot.seats,
    renews_at: snapshot.renewsAt,
    ends_at: snapshot.endsAt,
    trial_ends_at: snapshot.trialEndsAt,
    test_mode: snapshot.testMode,
    provider_updated_at: snapshot.updatedAt,
    updated_at: now,
  };
  const written = await tx
    .insertInto("subscription")
    .values({ ...values, created_at: now })
    .onConflict((oc) =>
      oc
        .columns(["provider", "provider_subscription_id"])
        .doUpdateSet({
          provider_customer_id: (eb) => eb.ref("excluded.provider_customer_id"),
          provider_order_id: (eb) => eb.ref("excluded.provider_order_id"),
          variant_id: (eb) => eb.ref("excluded.variant_id"),
          plan: (eb) => eb.ref("excluded.plan"),
          status: (eb) => eb.ref("excluded.status"),
          seats: (eb) => eb.ref("excluded.seats"),
          renews_at: (eb) => eb.ref("excluded.renews_at"),
          ends_at: (eb) => eb.ref("excluded.ends_at"),
          trial_ends_at: (eb) => eb.ref("excluded.trial_ends_at"),
          test_mode: (eb) => eb.ref("excluded.test_mode"),
          provider_updated_at: (eb) => eb.ref("excluded.provider_updated_at"),
          updated_at: (eb) => eb.ref("excluded.updated_at"),
        })
        // The ordering rule: an update older than the stored one changes nothing.
        .where(sql<boolean>`subscription.provider_updated_at <= excluded.provider_updated_at`),
    )
    .returning("id")
    .executeTakeFirst();
  if (!written) {
    return { applied: false, orgId: owner.orgId, reason: "stale", summary: `${label}: this update (${snapshot.updatedAt}) is older than the one already applied; ignored` };
  }
  if (owner.checkoutId) {
    await tx.updateTable("billing_checkout").set({ provider_subscription_id: snapshot.providerSubscriptionId }).where("id", "=", owner.checkoutId).where("provider_subscription_id", "is", null).execute();
  }

  const current = await refreshOrgBilling(tx, owner.orgId, now);
  const changed =
    !before ||
    before.status !== snapshot.status ||
    before.seats !== snapshot.seats ||
    before.variant_id !== snapshot.variantId ||
    String(before.ends_at?.getTime() ?? null) !== String(snapshot.endsAt?.getTime() ?? null);
  if (changed) {
    await recordAuditEvent(tx, {
      orgId: owner.orgId,
      actor: PROVIDER_ACTOR,
      action: before ? "billing.subscription_changed" : "billing.subscription_started",
      target: label,
      metadata: {
        source: context.source,
        status: before && before.status !== snapshot.status ? { from: before.status, to: snapshot.status } : snapshot.status,
        seats: before && before.seats !== snapshot.seats ? { from: before.seats, to: snapshot.seats } : snapshot.seats,
        plan,
        ...(snapshot.endsAt ? { ends_at: snapshot.endsAt.toISOString() } : {}),
        org_access: current ? current.access : "unchanged",
      },
      at: now,
    });
    await subscriptionUpdated(tx, owner.orgId, now);
  }
  const summary = `${label} → ${snapshot.status}, ${plan}, ${snapshot.seats} seat${snapshot.seats === 1 ? "" : "s"}${changed ? "" : " (no change)"}`;
  return { applied: true, orgId: owner.orgId, changed, summary };
}

/**
 * Sets the org's plan and access from its current subscription: one that
 * grants access now if any, else the most recently updated. Call inside the
 * transaction that holds the org row.
 */
export async function refreshOrgBilling(tx: Database, orgId: string, now: Date) {
  const subscriptions = await tx
    .selectFrom("subscription")
    .select(["plan", "status", "seats", "ends_at", "provider_updated_at"])
    .where("org_id", "=", orgId)
    .orderBy("provider_updated_at", "desc")
    .execute();
  const current = subscriptions.find((s) => statusGrantsAccess(s.status, s.ends_at, now)) ?? subscriptions[0];
  if (!current) return null;
  await tx
    .updateTable("org")
    .set({ plan: current.plan, seat_limit: current.seats, billing_status: current.status, billing_ends_at: current.ends_at, updated_at: now })
    .where("id", "=", orgId)
    .execute();
  return { access: statusGrantsAccess(current.status, current.ends_at, now) ? "full" : "read-only" };
}

/** The billing page's view of an org: its current subscription, if any. */
export async function findOrgSubscription(db: Database, orgId: string, now = new Date()) {
  const rows = await db
    .selectFrom("subscription")
    .select(["provider_subscription_id", "plan", "status", "seats", "renews_at", "ends_at", "trial_ends_at", "provider_updated_at", "test_mode"])
    .where("org_id", "=", orgId)
    .orderBy("provider_updated_at", "desc")
    .execute();
  return rows.find((s) => statusGrantsAccess(s.status, s.ends_at, now)) ?? rows[0] ?? null;
}
