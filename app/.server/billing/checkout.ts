// "Upgrade": the server creates the LemonSqueezy checkout itself, with our own
// reference in its custom data ({ org_id, checkout_id }). Only a subscription
// that comes back naming a checkout we recorded here, for that org, is ever
// linked to it (subscriptions.ts). The customer portal link is fetched fresh
// each time: LemonSqueezy signs it and it expires within a day.
import type { Database } from "../db";
import { recordAuditEvent, type Actor } from "../orgs/audit";
import { createTeamCheckout, fetchSubscription } from "./lemonsqueezy";
import type { BillingSettings } from "./settings";
import { findOrgSubscription } from "./subscriptions";

/** Most seats one checkout can buy; more is a conversation with sales. */
export const MAX_SEATS = 500;
const CHECKOUT_LIFETIME_MS = 24 * 60 * 60 * 1000;

export type CheckoutResult = { ok: true; url: string } | { ok: false; reason: "already-subscribed" | "provider"; message: string };

export async function startCheckout(
  db: Database,
  settings: BillingSettings,
  input: { org: { id: string; slug: string }; seats: number; actor: Actor & { userId: string }; email: string; ip: string | null; publicUrl: URL },
  now = new Date(),
): Promise<CheckoutResult> {
  const current = await findOrgSubscription(db, input.org.id, now);
  if (current && ["on_trial", "active", "past_due"].includes(current.status)) {
    return { ok: false, reason: "already-subscribed", message: "This organization already has a subscription. Change seats or plan from the customer portal." };
  }
  const variantId = settings.teamVariantIds[0]!;
  const checkout = await db
    .insertInto("billing_checkout")
    .values({ org_id: input.org.id, variant_id: variantId, seats: input.seats, created_by: input.actor.userId, created_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  const created = await createTeamCheckout(settings, {
    variantId,
    seats: input.seats,
    email: input.email,
    custom: { org_id: input.org.id, checkout_id: checkout.id },
    redirectUrl: new URL(`/orgs/${input.org.slug}/billing?checkout=done`, input.publicUrl).toString(),
    expiresAt: new Date(now.getTime() + CHECKOUT_LIFETIME_MS),
  });
  if (!created.ok) {
    await db.deleteFrom("billing_checkout").where("id", "=", checkout.id).execute();
    return { ok: false, reason: "provider", message: "The payment provider did not answer as expected. Nothing was charged; please try again in a minute." };
  }
  await db.transaction().execute(async (tx) => {
    await tx.updateTable("billing_checkout").set({ provider_checkout_id: created.value.id || null }).where("id", "=", checkout.id).execute();
    await recordAuditEvent(tx, { orgId: input.org.id, actor: input.actor, action: "billing.checkout_started", target: `Team, ${input.seats} seat${input.seats === 1 ? "" : "s"}`, ip: input.ip, metadata: { variant: variantId }, at: now });
  });
  return { ok: true, url: created.value.url };
}

export type PortalResult = { ok: true; url: string } | { ok: false; message: string };

export async function customerPortalUrl(db: Database, settings: BillingSettings, orgId: string): Promise<PortalResult> {
  const current = await findOrgSubscription(db, orgId);
  if (!current) return { ok: false, message: "This organization has no subscription yet." };
  const fresh = await fetchSubscription(settings, current.provider_subscription_id);
  if (!fresh.ok) return { ok: false, message: "The payment provider did not answer. Please try again in a minute." };
  if (!fresh.value.customerPortalUrl || !/^https:\/\//.test(fresh.value.customerPortalUrl)) return { ok: false, message: "The payment provider sent no customer portal link for this subscription." };
  return { ok: true, url: fresh.value.customerPortalUrl };
}
