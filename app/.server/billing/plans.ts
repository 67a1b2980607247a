// Plans and what they allow, and what a subscription's status does to an org's
// access. Pure functions over stored columns: no settings, no database, so every
// org page can ask cheaply and tests can pass any clock.
//
// - solo (hosted, free): one org you own, up to SOLO_SEAT_LIMIT seats, no API keys.
// - team (hosted, paid): seats bought in LemonSqueezy, API keys, pushed audit events.
// - enterprise (self-hosted): everything, no limits, no billing.
// See docs/decisions/0006-plans-and-entitlements.md.

export const PLANS = ["solo", "team", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

/** Members plus pending invitations a Solo org can hold (the owner included). */
export const SOLO_SEAT_LIMIT = 3;
/** Solo orgs one person may own at a time. */
export const SOLO_ORGS_PER_OWNER = 1;

export type PlanFeatures = { apiKeys: boolean; paid: boolean };

export function planFeatures(plan: string): PlanFeatures {
  switch (plan) {
    case "solo":
      return { apiKeys: false, paid: false };
    case "team":
      return { apiKeys: true, paid: true };
    default:
      // enterprise, and any plan name this version does not know: never lock
      // anyone out because of a label.
      return { apiKeys: true, paid: false };
  }
}

export function planLabel(plan: string): string {
  return plan === "solo" ? "Solo (free)" : plan === "team" ? "Team" : plan === "enterprise" ? "Enterprise" : plan;
}

/** LemonSqueezy's subscription statuses. */
export const SUBSCRIPTION_STATUSES = ["on_trial", "active", "paused", "past_due", "unpaid", "cancelled", "expired"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export type OrgStanding = {
  access: "full" | "read-only";
  /** Shown on every org page while it holds; null when all is well. */
  notice: { tone: "warning" | "error"; message: string } | null;
};

const day = (date: Date) => date.toISOString().slice(0, 10);

/**
 * What the org's current subscription status means for access right now:
 * on_trial/active full; past_due full with a warning; cancelled full until
 * ends_at; paused/unpaid/expired (and a cancelled one past its end) read-only.
 * An org that never subscribed (Solo, Enterprise) has full access to its plan.
 */
export function orgStanding(org: { billingStatus: string | null; billingEndsAt: Date | null }, now: Date = new Date()): OrgStanding {
  const fixIt = "An owner or admin can fix this on the Billing page.";
  switch (org.billingStatus) {
    case null:
    case "on_trial":
    case "active":
      return { access: "full", notice: null };
    case "past_due":
      return { access: "full", notice: { tone: "warning", message: `The last payment for this organization failed. ${fixIt} Until then everything keeps working.` } };
    case "cancelled":
      if (org.billingEndsAt && org.billingEndsAt.getTime() > now.getTime()) {
        return { access: "full", notice: { tone: "warning", message: `The subscription is cancelled: full access until ${day(org.billingEndsAt)}, then this organization becomes read-only.` } };
      }
      return readOnly("the subscription has ended");
    case "paused":
      return readOnly("the subscription is paused");
    case "unpaid":
      return readOnly("the subscription is unpaid");
    case "expired":
      return readOnly("the subscription has expired");
    default:
      // A status we do not know is never taken as a licence to lock people out.
      return { access: "full", notice: null };
  }

  function readOnly(reason: string): OrgStanding {
    return {
      access: "read-only",
      notice: {
        tone: "error",
        message: `This organization is read-only because ${reason}. Nothing has been deleted: members can still read and export, leave, and delete their own accounts. ${fixIt}`,
      },
    };
  }
}

/** The 403 answer (and message) for a change to a read-only org. */
export function readOnlyMessage(standing: OrgStanding): string {
  return standing.notice?.message ?? "This organization is read-only.";
}

/** Whether a status, on its own, grants access (used to pick an org's current subscription). */
export function statusGrantsAccess(status: string, endsAt: Date | null, now: Date): boolean {
  return orgStanding({ billingStatus: status, billingEndsAt: endsAt }, now).access === "full";
}
