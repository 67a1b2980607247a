// Which orgs may use SSO: Team and Enterprise (ADR 0021). Solo, the free
// hosted plan, does not; a plan name this version does not know is never
// taken as a reason to lock anyone out (as in billing/plans.ts).
import { entitlementRefusal } from "../orgs/entitlements";

export function orgMayUseSso(plan: string): boolean {
  return plan !== "solo";
}

export function assertCanUseSso(plan: string): void {
  if (!orgMayUseSso(plan)) throw entitlementRefusal("Single sign-on comes with the Team plan. An owner or admin can upgrade on the Billing page.");
}
