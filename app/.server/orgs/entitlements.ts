// What an org may do, given its plan and its subscription's status (see
// billing/plans.ts for the rules). Refusals are a 403 whose body carries the
// reason in words; the org layout's error boundary shows it, and the API
// answers it as JSON.
import type { Database } from "../db";
import { orgStanding, planFeatures, readOnlyMessage, SOLO_ORGS_PER_OWNER, type OrgStanding } from "../billing/plans";

export type EntitlementRefusal = { entitlement: true; message: string };

export function entitlementRefusal(message: string): Response {
  const body: EntitlementRefusal = { entitlement: true, message };
  return Response.json(body, { status: 403, headers: { "Cache-Control": "no-store" } });
}

type BillingColumns = { plan: string; billing_status: string | null; billing_ends_at: Date | null };

export function standingOf(org: BillingColumns, now = new Date()): OrgStanding {
  return orgStanding({ billingStatus: org.billing_status, billingEndsAt: org.billing_ends_at }, now);
}

/** Throws the 403 when the org is read-only. For changes that do not go through requireOrgRole. */
export function assertWritable(org: BillingColumns, now = new Date()): void {
  const standing = standingOf(org, now);
  if (standing.access === "read-only") throw entitlementRefusal(readOnlyMessage(standing));
}

/** Why the org refuses changes right now (it is read-only), or null. For the API, whose keys skip requireOrgRole. */
export async function writeRefusalReason(db: Database, orgId: string, now = new Date()): Promise<string | null> {
  const org = await db.selectFrom("org").select(["plan", "billing_status", "billing_ends_at"]).where("id", "=", orgId).executeTakeFirst();
  if (!org) return null;
  const standing = standingOf(org, now);
  return standing.access === "read-only" ? readOnlyMessage(standing) : null;
}

export async function assertCanCreateApiKey(db: Database, orgId: string, now = new Date()): Promise<void> {
  const org = await db.selectFrom("org").select(["plan", "billing_status", "billing_ends_at"]).where("id", "=", orgId).executeTakeFirstOrThrow();
  assertWritable(org, now);
  if (!planFeatures(org.plan).apiKeys) {
    throw entitlementRefusal("API keys come with the Team plan. An owner or admin can upgrade on the Billing page.");
  }
}

/** Solo orgs the person already owns, against the Solo allowance. */
export async function canOwnAnotherSoloOrg(db: Database, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("membership")
    .innerJoin("org", "org.id", "membership.org_id")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("membership.user_id", "=", userId)
    .where("membership.role", "=", "owner")
    .where("org.plan", "=", "solo")
    .executeTakeFirstOrThrow();
  return Number(row.n) < SOLO_ORGS_PER_OWNER;
}
