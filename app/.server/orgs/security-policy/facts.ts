// What the checks need to know about a person and their orgs, read in at most
// three queries: the memberships with each org's policy, and — only when some
// org requires SSO or two-factor — which org verified the person's email
// domain and which SSO connections are switched on for those orgs.
import type { OrgRole } from "../../../../db/schema";
import type { Database } from "../../db";
import { emailDomain, noPolicy, policyFromRow, type SecurityPolicy } from "./policy";

export type MembershipPolicy = {
  orgId: string;
  orgName: string;
  orgSlug: string;
  role: OrgRole;
  policy: SecurityPolicy;
  /** The person's email domain is one this org verified: require-SSO applies to them. */
  onOrgDomain: boolean;
  /** Enabled connections that count as this org's SSO: its own and the instance-wide ones. */
  connectionIds: Set<string>;
};

export type PersonPolicies = { userId: string; email: string; memberships: MembershipPolicy[] };

export async function loadPersonPolicies(db: Database, userId: string, onlyOrgId?: string): Promise<PersonPolicies | null> {
  let query = db
    .selectFrom("user")
    .leftJoin("membership", "membership.user_id", "user.id")
    .leftJoin("org", "org.id", "membership.org_id")
    .leftJoin("org_security_policy as p", "p.org_id", "membership.org_id")
    .select([
      "user.email",
      "membership.org_id",
      "membership.role",
      "org.name as org_name",
      "org.slug as org_slug",
      "p.org_id as policy_org_id",
      "p.require_two_factor",
      "p.two_factor_enforced_from",
      "p.sso_needs_idp_mfa",
      "p.require_sso",
      "p.sso_enforced_from",
      "p.session_max_minutes",
      "p.session_idle_minutes",
      "p.invite_domains",
      "p.api_key_max_days",
      "p.updated_at",
    ])
    .where("user.id", "=", userId);
  if (onlyOrgId) query = query.where("membership.org_id", "=", onlyOrgId);
  const rows = await query.execute();
  if (rows.length === 0) {
    if (!onlyOrgId) return null;
    const user = await db.selectFrom("user").select("email").where("id", "=", userId).executeTakeFirst();
    return user ? { userId, email: user.email, memberships: [] } : null;
  }
  const email = rows[0]!.email;
  const memberships: MembershipPolicy[] = rows
    .filter((row) => row.org_id !== null)
    .map((row) => ({
      orgId: row.org_id!,
      orgName: row.org_name!,
      orgSlug: row.org_slug!,
      role: row.role!,
      policy: row.policy_org_id
        ? policyFromRow({
            org_id: row.policy_org_id,
            require_two_factor: row.require_two_factor!,
            two_factor_enforced_from: row.two_factor_enforced_from,
            sso_needs_idp_mfa: row.sso_needs_idp_mfa!,
            require_sso: row.require_sso!,
            sso_enforced_from: row.sso_enforced_from,
            session_max_minutes: row.session_max_minutes,
            session_idle_minutes: row.session_idle_minutes,
            invite_domains: row.invite_domains!,
            api_key_max_days: row.api_key_max_days,
            updated_at: row.updated_at!,
          })
        : noPolicy(row.org_id!),
      onOrgDomain: false,
      connectionIds: new Set<string>(),
    }));

  const strict = memberships.filter((m) => m.policy.requireSso || m.policy.requireTwoFactor);
  if (strict.length > 0) {
    const orgIds = strict.map((m) => m.orgId);
    const [domain, connections] = await Promise.all([
      db.selectFrom("sso_domain").select("org_id").where("domain", "=", emailDomain(email)).where("verified_at", "is not", null).executeTakeFirst(),
      db
        .selectFrom("sso_connection")
        .select(["id", "org_id"])
        .where("enabled", "=", true)
        .where((eb) => eb.or([eb("org_id", "in", orgIds), eb("org_id", "is", null)]))
        .execute(),
    ]);
    for (const membership of strict) {
      // An instance-wide domain (the operator's) is every org's: self-hosted, they are all the company's people.
      membership.onOrgDomain = domain !== undefined && (domain.org_id === membership.orgId || domain.org_id === null);
      for (const connection of connections) {
        if (connection.org_id === null || connection.org_id === membership.orgId) membership.connectionIds.add(connection.id);
      }
    }
  }
  return { userId, email, memberships };
}
