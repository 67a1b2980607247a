// Changing an org's security policy, one section at a time, each change
// audited. Switching a rule on gives the members who do not meet it a grace
// period (they are emailed and see a banner); the admin making the change
// must meet it themselves, so no one locks their own org away from them.
import { sql } from "kysely";
import type { Database } from "../../db";
import type { ValidSession } from "../../session";
import { recordAuditEvent, type Actor } from "../audit";
import { checkOrgAccess } from "./check";
import { countNonCompliantMembers, emailNonCompliantMembers } from "./compliance";
import { findSecurityPolicy, type SecurityPolicy } from "./policy";
import { applySessionLimitsOfOrg } from "./session-limits";

export type PolicyEditor = { org: { id: string; name: string }; actor: Actor & { userId: string }; session: ValidSession; ip: string | null };

export type PolicyChange =
  | { section: "two-factor"; require: boolean; ssoNeedsIdpMfa: boolean; graceDays: number }
  | { section: "sso"; require: boolean; graceDays: number }
  | { section: "sessions"; maxMinutes: number | null; idleMinutes: number | null }
  | { section: "invite-domains"; domains: string[] }
  | { section: "api-keys"; maxDays: number | null };

export type UpdateResult = { ok: true; notified: number } | { ok: false; message: string };

const DAY_MS = 86_400_000;
/** Keys that already exist when a lifetime is first set keep working at least this long, so nothing breaks without warning. */
export const EXISTING_KEY_NOTICE_DAYS = 7;

async function upsert(db: Database, orgId: string, values: Partial<Record<string, unknown>>, now: Date) {
  await db
    .insertInto("org_security_policy")
    .values({ org_id: orgId, ...values, updated_at: now })
    .onConflict((oc) => oc.column("org_id").doUpdateSet({ ...values, updated_at: now }))
    .execute();
}

async function hasUsableSso(db: Database, orgId: string): Promise<boolean> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.exists(eb.selectFrom("sso_connection").select("id").where("enabled", "=", true).where((inner) => inner.or([inner("org_id", "=", orgId), inner("org_id", "is", null)]))).as("connection"),
      eb.exists(eb.selectFrom("sso_domain").select("id").where("verified_at", "is not", null).where((inner) => inner.or([inner("org_id", "=", orgId), inner("org_id", "is", null)]))).as("domain"),
    ])
    .executeTakeFirstOrThrow();
  return Boolean(row.connection) && Boolean(row.domain);
}

// Would the editor's own session be refused once the new rule holds? Asked of the same check every page uses.
async function editorWouldBeLockedOut(db: Database, editor: PolicyEditor, values: Partial<SecurityPolicy>, now: Date): Promise<string | null> {
  const current = await findSecurityPolicy(db, editor.org.id);
  const next = { ...current, ...values };
  // Evaluated in a transaction that is rolled back: the rule as if enforced now, nothing kept.
  let refusal: string | null = null;
  await db
    .transaction()
    .execute(async (tx) => {
      await upsert(
        tx,
        editor.org.id,
        {
          require_two_factor: next.requireTwoFactor,
          two_factor_enforced_from: next.requireTwoFactor ? now : null,
          sso_needs_idp_mfa: next.ssoNeedsIdpMfa,
          require_sso: next.requireSso,
          sso_enforced_from: next.requireSso ? now : null,
        },
        now,
      );
      const verdict = await checkOrgAccess(tx, editor.session, editor.org.id, now);
      if (!verdict.ok) refusal = verdict.message;
      throw new DryRun();
    })
    .catch((error: unknown) => {
      if (!(error instanceof DryRun)) throw error;
    });
  return refusal;
}

class DryRun extends Error {}

export async function updateSecurityPolicy(db: Database, editor: PolicyEditor, change: PolicyChange, now = new Date()): Promise<UpdateResult> {
  const before = await findSecurityPolicy(db, editor.org.id);
  const orgId = editor.org.id;
  const audit = (tx: Database, action: string, metadata: Record<string, unknown>) =>
    recordAuditEvent(tx, { orgId, actor: editor.actor, action, target: editor.org.name, ip: editor.ip, metadata, at: now });

  switch (change.section) {
    case "two-factor": {
      if (change.require) {
        const lockout = await editorWouldBeLockedOut(db, editor, { requireTwoFactor: true, ssoNeedsIdpMfa: change.ssoNeedsIdpMfa }, now);
        if (lockout) return { ok: false, message: `Your own session would not meet this rule: ${lockout}` };
      }
      const switchingOn = change.require && !before.requireTwoFactor;
      const enforcedFrom = change.require ? (switchingOn ? new Date(now.getTime() + change.graceDays * DAY_MS) : before.twoFactorEnforcedFrom) : null;
      const notified = await db.transaction().execute(async (tx) => {
        await upsert(tx, orgId, { require_two_factor: change.require, two_factor_enforced_from: enforcedFrom, sso_needs_idp_mfa: change.ssoNeedsIdpMfa }, now);
        if (switchingOn) {
          await audit(tx, "security_policy.two_factor_required", { graceDays: change.graceDays, notComplying: await countNonCompliantMembers(tx, orgId, "two-factor") });
          return change.graceDays > 0 ? emailNonCompliantMembers(tx, editor.org, "two-factor", enforcedFrom!, now) : 0;
        }
        if (!change.require && before.requireTwoFactor) await audit(tx, "security_policy.two_factor_not_required", {});
        if (change.ssoNeedsIdpMfa !== before.ssoNeedsIdpMfa) await audit(tx, "security_policy.sso_mfa_rule_changed", { idpMfaRequired: change.ssoNeedsIdpMfa });
        return 0;
      });
      return { ok: true, notified };
    }
    case "sso": {
      if (change.require) {
        if (!(await hasUsableSso(db, orgId))) return { ok: false, message: "Set up SSO first: a switched-on connection and a verified domain (SSO page)." };
        const lockout = await editorWouldBeLockedOut(db, editor, { requireSso: true }, now);
        if (lockout) return { ok: false, message: `Your own session would not meet this rule: ${lockout}` };
      }
      const switchingOn = change.require && !before.requireSso;
      const enforcedFrom = change.require ? (switchingOn ? new Date(now.getTime() + change.graceDays * DAY_MS) : before.ssoEnforcedFrom) : null;
      const notified = await db.transaction().execute(async (tx) => {
        await upsert(tx, orgId, { require_sso: change.require, sso_enforced_from: enforcedFrom }, now);
        if (switchingOn) {
          await audit(tx, "security_policy.sso_required", { graceDays: change.graceDays, notComplying: await countNonCompliantMembers(tx, orgId, "sso") });
          return change.graceDays > 0 ? emailNonCompliantMembers(tx, editor.org, "sso", enforcedFrom!, now) : 0;
        }
        if (!change.require && before.requireSso) await audit(tx, "security_policy.sso_not_required", {});
        return 0;
      });
      return { ok: true, notified };
    }
    case "sessions": {
      await db.transaction().execute(async (tx) => {
        await upsert(tx, orgId, { session_max_minutes: change.maxMinutes, session_idle_minutes: change.idleMinutes }, now);
        await audit(tx, "security_policy.session_limits_changed", {
          maxMinutes: { from: before.sessionMaxMinutes ?? "none", to: change.maxMinutes ?? "none" },
          idleMinutes: { from: before.sessionIdleMinutes ?? "none", to: change.idleMinutes ?? "none" },
        });
        // Members' sessions that already run come under the new limits now, not at their next sign-in.
        await applySessionLimitsOfOrg(tx, orgId);
      });
      return { ok: true, notified: 0 };
    }
    case "invite-domains": {
      await db.transaction().execute(async (tx) => {
        await upsert(tx, orgId, { invite_domains: change.domains }, now);
        await audit(tx, "security_policy.invite_domains_changed", { domains: change.domains.join(", ") || "any" });
      });
      return { ok: true, notified: 0 };
    }
    case "api-keys": {
      await db.transaction().execute(async (tx) => {
        await upsert(tx, orgId, { api_key_max_days: change.maxDays }, now);
        await audit(tx, "security_policy.api_key_lifetime_changed", { maxDays: { from: before.apiKeyMaxDays ?? "none", to: change.maxDays ?? "none" } });
        if (change.maxDays !== null) {
          // Keys made before the cap expire at their age limit, but not sooner than a week from now.
          await tx
            .updateTable("api_key")
            .set({
              expires_at: sql`least(coalesce(expires_at, 'infinity'::timestamptz), greatest(created_at + ${change.maxDays} * interval '1 day', ${now}::timestamptz + ${EXISTING_KEY_NOTICE_DAYS} * interval '1 day'))`,
            })
            .where("org_id", "=", orgId)
            .where("revoked_at", "is", null)
            .execute();
        }
      });
      return { ok: true, notified: 0 };
    }
  }
}
