// An org's security policies as one value. No row means nothing is required.
// A rule that is switched on carries the date it is enforced from: until then
// (the members' grace period) it only warns, with a banner and an email.
import type { Selectable } from "kysely";
import type { OrgSecurityPolicyTable } from "../../../../db/schema";
import type { Database } from "../../db";

export type SecurityPolicy = {
  orgId: string;
  requireTwoFactor: boolean;
  twoFactorEnforcedFrom: Date | null;
  /** true: an SSO sign-in counts as two-factor only if the IdP asserted MFA. */
  ssoNeedsIdpMfa: boolean;
  requireSso: boolean;
  ssoEnforcedFrom: Date | null;
  sessionMaxMinutes: number | null;
  sessionIdleMinutes: number | null;
  /** Lower-case domains invitations may go to; empty: any. */
  inviteDomains: string[];
  apiKeyMaxDays: number | null;
};

export const noPolicy = (orgId: string): SecurityPolicy => ({
  orgId,
  requireTwoFactor: false,
  twoFactorEnforcedFrom: null,
  ssoNeedsIdpMfa: true,
  requireSso: false,
  ssoEnforcedFrom: null,
  sessionMaxMinutes: null,
  sessionIdleMinutes: null,
  inviteDomains: [],
  apiKeyMaxDays: null,
});

export function policyFromRow(row: Selectable<OrgSecurityPolicyTable>): SecurityPolicy {
  return {
    orgId: row.org_id,
    requireTwoFactor: row.require_two_factor,
    twoFactorEnforcedFrom: row.two_factor_enforced_from,
    ssoNeedsIdpMfa: row.sso_needs_idp_mfa,
    requireSso: row.require_sso,
    ssoEnforcedFrom: row.sso_enforced_from,
    sessionMaxMinutes: row.session_max_minutes,
    sessionIdleMinutes: row.session_idle_minutes,
    inviteDomains: row.invite_domains,
    apiKeyMaxDays: row.api_key_max_days,
  };
}

export async function findSecurityPolicy(db: Database, orgId: string): Promise<SecurityPolicy> {
  const row = await db.selectFrom("org_security_policy").selectAll().where("org_id", "=", orgId).executeTakeFirst();
  return row ? policyFromRow(row) : noPolicy(orgId);
}

export type RuleState = "off" | "grace" | "enforced";

export function ruleState(on: boolean, enforcedFrom: Date | null, now: Date): RuleState {
  if (!on || !enforcedFrom) return "off";
  return enforcedFrom <= now ? "enforced" : "grace";
}

export const twoFactorState = (policy: SecurityPolicy, now: Date) => ruleState(policy.requireTwoFactor, policy.twoFactorEnforcedFrom, now);
export const ssoState = (policy: SecurityPolicy, now: Date) => ruleState(policy.requireSso, policy.ssoEnforcedFrom, now);

/** "ada@Example.com" → "example.com". */
export const emailDomain = (email: string) => email.slice(email.lastIndexOf("@") + 1).toLowerCase();
