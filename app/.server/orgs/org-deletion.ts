// Deleting an org. In hosted mode its LemonSqueezy subscription is cancelled
// first, so nobody is charged for an org that no longer exists; if the
// provider does not confirm, nothing is deleted and the owner is told why.
// Then one transaction removes the org and everything that hangs off it
// (members, invitations, keys, subscriptions and its audit history: the
// foreign keys cascade), and writes the operators' record in org_deletion.
import type { Database } from "../db";
import { cancelProviderSubscription } from "../billing/lemonsqueezy";
import type { BillingMode } from "../billing/settings";
import { PROVIDER } from "../billing/subscriptions";
import { getLogger } from "../logger";
import type { Actor } from "./audit";
import { lockOrg } from "./orgs";
import { orgDeleted } from "../events/domain-events";

// Statuses after which LemonSqueezy charges nothing more.
const FINISHED = ["cancelled", "expired"];

export type DeleteOrgResult =
  | { ok: true; name: string; cancelledSubscriptions: string[] }
  | { ok: false; reason: "not-owner" | "not-found" }
  | { ok: false; reason: "billing"; message: string };

/** Subscriptions of the org that would still renew (and so charge someone). */
export async function renewingSubscriptions(db: Database, orgId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("subscription")
    .select("provider_subscription_id")
    .where("org_id", "=", orgId)
    .where("provider", "=", PROVIDER)
    .where("status", "not in", FINISHED)
    .orderBy("provider_subscription_id")
    .execute();
  return rows.map((r) => r.provider_subscription_id);
}

export async function deleteOrg(
  db: Database,
  input: { orgId: string; actor: Actor & { userId: string }; billing: BillingMode; requestId?: string; now?: Date },
): Promise<DeleteOrgResult> {
  const now = input.now ?? new Date();
  const before = await db
    .selectFrom("membership")
    .select("role")
    .where("org_id", "=", input.orgId)
    .where("user_id", "=", input.actor.userId)
    .executeTakeFirst();
  if (!before) return { ok: false, reason: "not-found" };
  if (before.role !== "owner") return { ok: false, reason: "not-owner" };

  const renewing = await renewingSubscriptions(db, input.orgId);
  const cancelled: string[] = [];
  if (renewing.length > 0) {
    if (input.billing.kind !== "on") {
      // Subscriptions exist but this server cannot reach the provider: deleting
      // now would leave someone paying for nothing.
      return { ok: false, reason: "billing", message: "This organization has a subscription that could not be cancelled because billing is not configured here. Nothing was deleted. Ask the operator to cancel it first." };
    }
    for (const id of renewing) {
      const result = await cancelProviderSubscription(input.billing.settings, id);
      if (!result.ok) {
        getLogger().warn({ requestId: input.requestId, orgId: input.orgId, subscription: id, error: result.error }, "org deletion stopped: subscription not cancelled");
        return { ok: false, reason: "billing", message: "The subscription could not be cancelled with the payment provider just now. Nothing was deleted and nothing more was changed. Please try again in a few minutes." };
      }
      cancelled.push(id);
    }
  }

  const outcome = await db.transaction().execute(async (tx) => {
    await lockOrg(tx, input.orgId, now);
    const org = await tx.selectFrom("org").select(["slug", "name", "plan"]).where("id", "=", input.orgId).executeTakeFirst();
    if (!org) return { ok: false as const, reason: "not-found" as const };
    // Read again under the lock: the role may have changed since the check above.
    const role = await tx.selectFrom("membership").select("role").where("org_id", "=", input.orgId).where("user_id", "=", input.actor.userId).executeTakeFirst();
    if (role?.role !== "owner") return { ok: false as const, reason: "not-owner" as const };
    const members = await tx.selectFrom("membership").select((eb) => eb.fn.countAll<string>().as("n")).where("org_id", "=", input.orgId).executeTakeFirstOrThrow();
    await tx
      .insertInto("org_deletion")
      .values({
        org_id: input.orgId,
        slug: org.slug,
        name: org.name,
        plan: org.plan,
        member_count: Number(members.n),
        deleted_by: input.actor.userId,
        cancelled_subscriptions: JSON.stringify(cancelled),
        deleted_at: now,
      })
      .execute();
    // Cascades: memberships, invitations, API keys, audit events, subscriptions, checkouts, old addresses.
    await tx.deleteFrom("org").where("id", "=", input.orgId).execute();
    await orgDeleted(tx, { id: input.orgId, slug: org.slug }, now);
    return { ok: true as const, name: org.name, slug: org.slug };
  });
  if (!outcome.ok) return outcome;
  getLogger().info({ requestId: input.requestId, orgId: input.orgId, slug: outcome.slug, deletedBy: input.actor.userId, cancelledSubscriptions: cancelled }, "org deleted");
  return { ok: true, name: outcome.name, cancelledSubscriptions: cancelled };
}

/** The operators' list of deleted orgs, newest first. */
export async function listOrgDeletions(db: Database, limit = 20) {
  return db
    .selectFrom("org_deletion")
    .leftJoin("user", "user.id", "org_deletion.deleted_by")
    .select(["org_deletion.id", "org_deletion.slug", "org_deletion.name", "org_deletion.plan", "org_deletion.member_count", "org_deletion.cancelled_subscriptions", "org_deletion.deleted_at", "user.email as deletedByEmail", "org_deletion.deleted_by"])
    .orderBy("org_deletion.deleted_at", "desc")
    .limit(limit)
    .execute();
}
