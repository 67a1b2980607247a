// Who in an org does not meet a rule yet: listed on /orgs/:slug/security
// before the rule is switched on (keyset-paged by email, so a large org costs
// one page per view), emailed when it is switched on, and shown a banner in
// the org while their grace period runs.
import { sql, type ExpressionBuilder } from "kysely";
import type { DB, OrgRole } from "../../../../db/schema";
import type { Database } from "../../db";
import { getBrand, publicLink } from "../../email/brand";
import { queueRenderedBatch } from "../../email/queue";
import { renderEmail } from "../../email/render";
import type { ValidSession } from "../../session";
import { checkOrgAccess } from "./check";
import { findSecurityPolicy, ssoState, twoFactorState } from "./policy";

export type PolicyRule = "two-factor" | "sso";
export type NonCompliantMember = { userId: string; email: string; name: string | null; role: OrgRole };
export const NON_COMPLIANT_PAGE = 50;

type Builder = ExpressionBuilder<DB & { m: DB["membership"]; u: DB["user"] }, "m" | "u">;

// Connections that count as the org's SSO: its own enabled ones and the instance's.
const orgConnections = (eb: Builder, orgId: string) =>
  eb
    .selectFrom("sso_connection")
    .select("sso_connection.id")
    .where("sso_connection.enabled", "=", true)
    .where((inner) => inner.or([inner("sso_connection.org_id", "=", orgId), inner("sso_connection.org_id", "is", null)]));

const linkedToOrgSso = (eb: Builder, orgId: string) =>
  eb.exists(eb.selectFrom("sso_identity").select("sso_identity.user_id").whereRef("sso_identity.user_id", "=", "u.id").where("sso_identity.connection_id", "in", orgConnections(eb, orgId)));

function notComplying(eb: Builder, orgId: string, rule: PolicyRule) {
  if (rule === "two-factor") {
    return eb.and([
      eb.not(eb.exists(eb.selectFrom("totp_factor").select("totp_factor.user_id").whereRef("totp_factor.user_id", "=", "u.id").where("totp_factor.confirmed_at", "is not", null))),
      eb.not(eb.exists(eb.selectFrom("passkey").select("passkey.id").whereRef("passkey.user_id", "=", "u.id"))),
      eb.not(linkedToOrgSso(eb, orgId)),
    ]);
  }
  // Require-SSO binds the people on the org's verified domains (or the instance's).
  return eb.and([
    eb(
      sql<string>`split_part(u.email, '@', 2)`,
      "in",
      eb
        .selectFrom("sso_domain")
        .select("sso_domain.domain")
        .where("sso_domain.verified_at", "is not", null)
        .where((inner) => inner.or([inner("sso_domain.org_id", "=", orgId), inner("sso_domain.org_id", "is", null)])),
    ),
    eb.not(linkedToOrgSso(eb, orgId)),
  ]);
}

function membersNotComplying(db: Database, orgId: string, rule: PolicyRule) {
  return db
    .selectFrom("membership as m")
    .innerJoin("user as u", "u.id", "m.user_id")
    .where("m.org_id", "=", orgId)
    .where((eb) => notComplying(eb as unknown as Builder, orgId, rule));
}

/** One page of the members who do not meet the rule, by email, after `afterEmail`. */
export async function listNonCompliantMembers(db: Database, orgId: string, rule: PolicyRule, afterEmail: string | null, limit = NON_COMPLIANT_PAGE) {
  let query = membersNotComplying(db, orgId, rule).select(["u.id", "u.email", "u.name", "m.role"]).orderBy("u.email").limit(limit + 1);
  if (afterEmail) query = query.where("u.email", ">", afterEmail);
  const rows = await query.execute();
  const page = rows.slice(0, limit).map((row): NonCompliantMember => ({ userId: row.id, email: row.email, name: row.name, role: row.role }));
  return { members: page, nextAfter: rows.length > limit ? page[page.length - 1]!.email : null };
}

export async function countNonCompliantMembers(db: Database, orgId: string, rule: PolicyRule): Promise<number> {
  const row = await membersNotComplying(db, orgId, rule).select((eb) => eb.fn.countAll<string>().as("count")).executeTakeFirstOrThrow();
  return Number(row.count);
}

const BATCH = 500;

/** Emails every member who does not meet the rule just switched on: what to do, and by when. */
export async function emailNonCompliantMembers(db: Database, org: { id: string; name: string }, rule: PolicyRule, enforcedFrom: Date, now: Date): Promise<number> {
  const rendered = await renderEmail(
    "security-policy-grace",
    {
      orgName: org.name,
      rule,
      enforcedFrom: enforcedFrom.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }),
      actionUrl: publicLink(rule === "two-factor" ? "/settings/security" : "/login"),
    },
    getBrand(),
  );
  let after: string | null = null;
  let queued = 0;
  do {
    const page = await listNonCompliantMembers(db, org.id, rule, after, BATCH);
    if (page.members.length > 0) {
      const sent = await queueRenderedBatch(db, { template: "security-policy-grace", rendered, recipients: page.members.map((m) => ({ to: m.email, toName: m.name })) }, { now });
      queued += sent.queued;
    }
    after = page.nextAfter;
  } while (after);
  return queued;
}

export type PolicyBanner = { rule: PolicyRule; enforcedFrom: string; message: string };

/**
 * The banner the org frame shows a member whose session will not meet a rule
 * once its grace period ends. One primary-key read when the org has no rule in grace.
 */
export async function policyBannerFor(db: Database, session: ValidSession, orgId: string, orgName: string, now = new Date()): Promise<PolicyBanner | null> {
  const policy = await findSecurityPolicy(db, orgId);
  const twoFactorGrace = twoFactorState(policy, now) === "grace";
  const ssoGrace = ssoState(policy, now) === "grace";
  if (!twoFactorGrace && !ssoGrace) return null;
  // Would this session be refused if the rules in grace were enforced now? Ask the same check, at their end.
  const at = new Date(Math.max(policy.twoFactorEnforcedFrom?.getTime() ?? 0, policy.ssoEnforcedFrom?.getTime() ?? 0));
  const verdict = await checkOrgAccess(db, session, orgId, at);
  if (verdict.ok) return null;
  const rule: PolicyRule = verdict.reason === "two-factor-required" ? "two-factor" : "sso";
  const from = (rule === "two-factor" ? policy.twoFactorEnforcedFrom : policy.ssoEnforcedFrom)!;
  const date = from.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  const message =
    rule === "two-factor"
      ? `${orgName} requires two-factor authentication from ${date}. Turn it on in your security settings before then, or you will be asked to at your next sign-in.`
      : `${orgName} requires signing in with its single sign-on (SSO) from ${date}. Sign in through it from now on.`;
  return { rule, enforcedFrom: from.toISOString(), message };
}
