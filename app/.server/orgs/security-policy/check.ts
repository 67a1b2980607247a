// THE org security policy check. Every way in calls it, so a rule switched on
// at /orgs/:slug/security holds everywhere, not only in the pages:
//   - a new session (password, /login/2fa, passkey, SSO):   checkSignInPolicies
//   - an org's pages (requireOrgRole):                       checkOrgAccess
//   - an app's sign-in or a device approval (OIDC):          checkSessionForApps
//   - tokens, refresh tokens included (OIDC findAccount):    mayReceiveTokens
//   - invitations (creation and acceptance):                 checkInvitationDomain
//   - API key creation:                                      apiKeyExpiry
// A rule in its grace period only warns (pendingRules, for the banner).
import type { SessionAuthMethod } from "../../../../db/schema";
import type { Database } from "../../db";
import type { SessionLimits, ValidSession } from "../../session";
import { hasSecondFactor } from "../../accounts/mfa/factors";
import { recordBreakGlassSignIn } from "./break-glass";
import { loadPersonPolicies, type MembershipPolicy } from "./facts";
import { emailDomain, findSecurityPolicy, ssoState, twoFactorState } from "./policy";

/** How a sign-in proved who it is: a session's auth method, or "sso" (then ssoConnectionId says through which connection). */
export type SignInMethod = SessionAuthMethod | "sso";

export type SignInAttempt = {
  userId: string;
  method: SignInMethod;
  /** The connection an SSO sign-in came through (required when method is "sso"). */
  ssoConnectionId?: string | null;
  /** SsoProfile.mfaAsserted of an SSO sign-in. */
  ssoMfaAsserted?: boolean;
  /** The client's IP, for the break-glass audit event. */
  ip?: string | null;
  now?: Date;
};

export type SignInRefusal = {
  ok: false;
  reason: "sso-required" | "idp-mfa-required";
  /** A sentence for the person, naming the org whose rule refused. */
  message: string;
  /** Where to send them: the sign-in page. */
  next: string;
};

export type SignInDecision =
  | {
      ok: true;
      /** Pass to createSession(…, { limits }) — the strictest of the person's orgs. */
      sessionLimits: SessionLimits;
      /** Where they must go first (e.g. to turn on two-factor), or null: wherever they were going. */
      next: string | null;
      /** Orgs whose require-SSO an owner just bypassed with password + two-factor (audited, owners emailed). */
      breakGlassOrgIds: string[];
    }
  | SignInRefusal;

export const TWO_FACTOR_ENROLMENT_PATH = "/settings/security?required=two-factor";

// Methods that proved a second factor. A passkey alone is one (it is possession plus a local check).
const TWO_FACTOR_METHODS = new Set<SignInMethod>(["password+totp", "password+passkey", "password+recovery-code", "passkey"]);
// The owners' way past require-SSO when the IdP is down: the password and a second factor.
const BREAK_GLASS_METHODS = new Set<SignInMethod>(["password+totp", "password+passkey", "password+recovery-code"]);

type SessionFacts = { method: SignInMethod; ssoConnectionId: string | null; ssoMfaAsserted: boolean };

function twoFactorMet(membership: MembershipPolicy, facts: SessionFacts): boolean {
  if (facts.ssoConnectionId) {
    // The admin's choice: only an IdP-asserted MFA counts, or any sign-in through the org's own IdP does.
    return facts.ssoMfaAsserted || (!membership.policy.ssoNeedsIdpMfa && membership.connectionIds.has(facts.ssoConnectionId));
  }
  return TWO_FACTOR_METHODS.has(facts.method);
}

function ssoMet(membership: MembershipPolicy, facts: SessionFacts): "met" | "break-glass" | "unmet" {
  // Require-SSO binds the people on the org's verified domains; guests (contractors on other domains) sign in as before.
  if (!membership.onOrgDomain) return "met";
  if (facts.ssoConnectionId && membership.connectionIds.has(facts.ssoConnectionId)) return "met";
  if (membership.role === "owner" && !facts.ssoConnectionId && BREAK_GLASS_METHODS.has(facts.method)) return "break-glass";
  return "unmet";
}

const minutes = (value: number | null) => (value === null ? null : value * 60_000);

/** The strictest session lifetime and idle timeout among these orgs. */
export function strictestLimits(memberships: MembershipPolicy[]): SessionLimits {
  const pick = (values: (number | null)[]) => values.reduce<number | null>((least, value) => (value === null ? least : least === null ? value : Math.min(least, value)), null);
  return {
    maxLifetimeMs: minutes(pick(memberships.map((m) => m.policy.sessionMaxMinutes))),
    idleTimeoutMs: minutes(pick(memberships.map((m) => m.policy.sessionIdleMinutes))),
  };
}

/**
 * Call once the person has proved who they are, before creating the session.
 * `ok: false`: create no session, show `message`, send them to `next`.
 * `ok: true`: create the session with `sessionLimits`, then send them to `next` if it is set.
 * A break-glass sign-in (an owner's password + second factor where their org
 * requires SSO) is recorded here: an audit event in that org and an email to its other owners.
 */
export async function checkSignInPolicies(db: Database, attempt: SignInAttempt): Promise<SignInDecision> {
  const now = attempt.now ?? new Date();
  const person = await loadPersonPolicies(db, attempt.userId);
  if (!person) return { ok: true, sessionLimits: { maxLifetimeMs: null, idleTimeoutMs: null }, next: null, breakGlassOrgIds: [] };
  const facts: SessionFacts = { method: attempt.method, ssoConnectionId: attempt.ssoConnectionId ?? null, ssoMfaAsserted: attempt.ssoMfaAsserted ?? false };
  const breakGlass: MembershipPolicy[] = [];
  let mustEnrolTwoFactor = false;
  for (const membership of person.memberships) {
    if (ssoState(membership.policy, now) === "enforced") {
      const sso = ssoMet(membership, facts);
      // An SSO session through another org's connection may exist; it just does not open this org (checkOrgAccess).
      if (sso === "unmet" && !facts.ssoConnectionId) {
        return { ok: false, reason: "sso-required", message: `${membership.orgName} requires you to sign in with its single sign-on (SSO).`, next: "/login" };
      }
      if (sso === "break-glass") breakGlass.push(membership);
    }
    if (twoFactorState(membership.policy, now) === "enforced" && !twoFactorMet(membership, facts)) {
      if (facts.ssoConnectionId) {
        return {
          ok: false,
          reason: "idp-mfa-required",
          message: `${membership.orgName} requires a multi-factor sign-in, and your identity provider did not report one. Sign in again and complete its multi-factor step.`,
          next: "/login",
        };
      }
      // A password alone: only an account without a second factor gets here (login.ts asks for it otherwise).
      mustEnrolTwoFactor = true;
    }
  }
  if (breakGlass.length > 0) await recordBreakGlassSignIn(db, { userId: person.userId, email: person.email, orgs: breakGlass, ip: attempt.ip ?? null, now });
  return { ok: true, sessionLimits: strictestLimits(person.memberships), next: mustEnrolTwoFactor ? TWO_FACTOR_ENROLMENT_PATH : null, breakGlassOrgIds: breakGlass.map((m) => m.orgId) };
}

export type AccessRefusal = { ok: false; reason: "two-factor-required" | "sso-required"; message: string };

const factsOf = (session: ValidSession): SessionFacts => ({ method: session.ssoConnectionId ? "sso" : session.authMethod, ssoConnectionId: session.ssoConnectionId, ssoMfaAsserted: session.ssoMfaAsserted });

function refusalFor(membership: MembershipPolicy, facts: SessionFacts, now: Date): AccessRefusal | null {
  if (ssoState(membership.policy, now) === "enforced" && ssoMet(membership, facts) === "unmet") {
    return { ok: false, reason: "sso-required", message: `${membership.orgName} requires you to sign in with its single sign-on (SSO). Sign out, then sign in through it.` };
  }
  if (twoFactorState(membership.policy, now) === "enforced" && !twoFactorMet(membership, facts)) {
    const how = facts.ssoConnectionId
      ? "Sign out, then sign in again completing your identity provider's multi-factor step."
      : "Turn on two-factor authentication in Settings → Security, then sign out and sign in again with it.";
    return { ok: false, reason: "two-factor-required", message: `${membership.orgName} requires two-factor authentication. ${how}` };
  }
  return null;
}

/**
 * May this session use this org? One primary-key read when the org has no
 * SSO or two-factor rule; three when it has. Called by requireOrgRole.
 */
export async function checkOrgAccess(db: Database, session: ValidSession, orgId: string, now = new Date()): Promise<{ ok: true } | AccessRefusal> {
  const policy = await findSecurityPolicy(db, orgId);
  if (twoFactorState(policy, now) !== "enforced" && ssoState(policy, now) !== "enforced") return { ok: true };
  const person = await loadPersonPolicies(db, session.user.id, orgId);
  const membership = person?.memberships[0];
  if (!membership) return { ok: true }; // not a member: requireOrgRole answers that
  return refusalFor(membership, factsOf(session), now) ?? { ok: true };
}

/**
 * May this session sign in to an app (an OIDC authorization or a device
 * approval)? Tokens carry every org of the person, so every org's rules apply.
 */
export async function checkSessionForApps(db: Database, session: ValidSession, now = new Date()): Promise<{ ok: true } | AccessRefusal> {
  const person = await loadPersonPolicies(db, session.user.id);
  for (const membership of person?.memberships ?? []) {
    const refusal = refusalFor(membership, factsOf(session), now);
    if (refusal) return refusal;
  }
  return { ok: true };
}

/**
 * Whether the person may be issued tokens now, checked at every token
 * request (refresh grants included): the standing they need for each org
 * whose rules are enforced — a second factor, or an SSO identity with the org.
 */
export async function mayReceiveTokens(db: Database, userId: string, now = new Date()): Promise<boolean> {
  const person = await loadPersonPolicies(db, userId);
  const binding = (person?.memberships ?? []).filter((m) => twoFactorState(m.policy, now) === "enforced" || (ssoState(m.policy, now) === "enforced" && m.onOrgDomain));
  if (binding.length === 0) return true;
  const [secondFactor, identities] = await Promise.all([
    hasSecondFactor(db, userId),
    db.selectFrom("sso_identity").select("connection_id").where("user_id", "=", userId).execute(),
  ]);
  const linked = new Set(identities.map((row) => row.connection_id));
  return binding.every((m) => {
    const viaSso = [...m.connectionIds].some((id) => linked.has(id));
    const twoFactorOk = twoFactorState(m.policy, now) !== "enforced" || secondFactor || viaSso;
    const ssoOk = ssoState(m.policy, now) !== "enforced" || !m.onOrgDomain || viaSso || (m.role === "owner" && secondFactor);
    return twoFactorOk && ssoOk;
  });
}

/** Invitations go only to the org's allowed domains, when it lists any. Checked when inviting and again when accepting. */
export async function checkInvitationDomain(db: Database, orgId: string, email: string): Promise<{ ok: true } | { ok: false; message: string }> {
  const { inviteDomains } = await findSecurityPolicy(db, orgId);
  if (inviteDomains.length === 0 || inviteDomains.includes(emailDomain(email))) return { ok: true };
  return { ok: false, message: `This organization only takes members with an address at ${inviteDomains.join(", ")}.` };
}

/** The expiry a new API key of this org gets: now + the org's maximum lifetime, or null (never). */
export async function apiKeyExpiry(db: Database, orgId: string, now = new Date()): Promise<Date | null> {
  const { apiKeyMaxDays } = await findSecurityPolicy(db, orgId);
  return apiKeyMaxDays === null ? null : new Date(now.getTime() + apiKeyMaxDays * 86_400_000);
}


/** Names of the person's orgs that require two-factor (enforced; with `includeGrace`, also those about to). */
export async function orgsRequiringTwoFactor(db: Database, userId: string, includeGrace = false, now = new Date()): Promise<string[]> {
  const person = await loadPersonPolicies(db, userId);
  return (person?.memberships ?? []).filter((m) => twoFactorState(m.policy, now) === "enforced" || (includeGrace && twoFactorState(m.policy, now) === "grace")).map((m) => m.orgName);
}
