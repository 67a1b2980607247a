// What happens once either protocol has a verified SsoProfile: the one place
// an SSO answer becomes a session. In order:
//   1. The address must be on a verified domain of the connection's owner (the
//      org, or the instance): an IdP vouches only for addresses its org owns.
//   2. A known IdP identity signs its account in.
//   3. An unknown identity whose address an account already uses is not
//      signed in: that account must first prove itself (links.ts).
//   4. Otherwise the account is created (just in time) with the address
//      verified, and joins the org with the connection's default role.
//   5. The org security policies (checkSignInPolicies) decide, as for every
//      other way in: an org requiring an IdP-asserted MFA refuses a sign-in
//      whose IdP did not assert one; session limits apply.
// The session is marked with the connection (session.sso_connection_id).
// Refusals are audited in the org (or logged, for the instance connection).
import type { Database } from "../db";
import { getLogger } from "../logger";
import { recordAuditEvent } from "../orgs/audit";
import { checkSignInPolicies } from "../orgs/security-policy/check";
import { hasFreeSeat, lockOrg } from "../orgs/orgs";
import { hashPassword } from "../password";
import { createSession, type ClientInfo } from "../session";
import { generateSecret } from "../tokens";
import type { SsoConnection } from "./connections";
import { connectionCoversEmail } from "./domains";
import { createPendingLink } from "./links";
import type { SsoProfile } from "./profile";

export type SsoSignInOutcome =
  | { kind: "signed-in"; token: string; userId: string; emailVerified: boolean; deletionPending: boolean; provisioned: boolean; next: string | null }
  | { kind: "link-required"; linkToken: string; email: string }
  | { kind: "refused"; reason: SsoRefusalReason | "sso-required" | "idp-mfa-required"; message: string };

export type SsoRefusalReason = "email-outside-domains" | "no-seats";

export const REFUSAL_MESSAGES: Record<SsoRefusalReason, string> = {
  "email-outside-domains": "Your identity provider signed you in with an address on a domain this connection does not cover, so we cannot let it in. Ask your administrator to add and verify the domain.",
  "no-seats": "Your organization has no free seat for a new member. Ask one of its admins to make room.",
};

export async function completeSsoSignIn(db: Database, connection: SsoConnection, profile: SsoProfile, client: ClientInfo, now = new Date()): Promise<SsoSignInOutcome> {
  if (!(await connectionCoversEmail(db, connection, profile.email))) {
    await recordSsoRefusal(db, connection, { reason: "email-outside-domains", email: profile.email, ip: client.ip, now });
    return { kind: "refused", reason: "email-outside-domains", message: REFUSAL_MESSAGES["email-outside-domains"] };
  }

  const linked = await db
    .selectFrom("sso_identity")
    .innerJoin("user", "user.id", "sso_identity.user_id")
    .select(["user.id", "user.email"])
    .where("sso_identity.connection_id", "=", connection.id)
    .where("sso_identity.subject", "=", profile.subject)
    .executeTakeFirst();
  if (linked) {
    await db.updateTable("sso_identity").set({ last_sign_in_at: now }).where("connection_id", "=", connection.id).where("subject", "=", profile.subject).execute();
    return signIn(db, connection, profile, linked.id, client, now, false);
  }

  const existing = await db.selectFrom("user").select(["id"]).where("email", "=", profile.email).executeTakeFirst();
  if (existing) {
    const linkToken = await createPendingLink(db, { connectionId: connection.id, subject: profile.subject, userId: existing.id }, now);
    return { kind: "link-required", linkToken, email: profile.email };
  }

  const provisioned = await provision(db, connection, profile, client.ip, now);
  if (!provisioned.ok) {
    await recordSsoRefusal(db, connection, { reason: provisioned.reason, email: profile.email, ip: client.ip, now });
    return { kind: "refused", reason: provisioned.reason, message: REFUSAL_MESSAGES[provisioned.reason] };
  }
  return signIn(db, connection, profile, provisioned.userId, client, now, true);
}

type Provisioned = { ok: true; userId: string } | { ok: false; reason: "no-seats" };

async function provision(db: Database, connection: SsoConnection, profile: SsoProfile, ip: string | null, now: Date): Promise<Provisioned> {
  // No password anyone knows: the account signs in through its IdP (or sets one with "Forgot your password?").
  const unusablePassword = await hashPassword(generateSecret(32));
  try {
    return await db.transaction().execute(async (tx) => {
      const user = await tx
        .insertInto("user")
        // The address counts as verified: it is on a domain the org proved it owns, and its IdP vouched for the person.
        .values({ email: profile.email, password_hash: unusablePassword, name: profile.name?.slice(0, 200) ?? null, email_verified_at: now, created_at: now, updated_at: now })
        .returning("id")
        .executeTakeFirstOrThrow();
      await tx.insertInto("sso_identity").values({ connection_id: connection.id, subject: profile.subject, user_id: user.id, created_at: now, last_sign_in_at: now }).execute();
      if (connection.org_id) {
        const joined = await joinOrg(tx, connection, { id: user.id, email: profile.email }, ip, now);
        if (!joined) throw new NoSeat();
      }
      return { ok: true as const, userId: user.id };
    });
  } catch (error) {
    if (error instanceof NoSeat) return { ok: false, reason: "no-seats" };
    throw error;
  }
}

class NoSeat extends Error {}

/** Membership with the connection's default role, unless the person is a member already. False: no seat (or the org is read-only). */
export async function joinOrg(tx: Database, connection: SsoConnection, user: { id: string; email: string }, ip: string | null, now: Date): Promise<boolean> {
  const orgId = connection.org_id!;
  const org = await lockOrg(tx, orgId, now);
  const already = await tx.selectFrom("membership").select("role").where("org_id", "=", orgId).where("user_id", "=", user.id).executeTakeFirst();
  if (already) return true;
  if (!org || org.readOnly || !(await hasFreeSeat(tx, orgId, org.seat_limit, now, false))) return false;
  await tx.insertInto("membership").values({ org_id: orgId, user_id: user.id, role: connection.default_role, created_at: now }).execute();
  await recordAuditEvent(tx, { orgId, actor: { userId: user.id, label: user.email }, action: "member.joined", target: user.email, ip, metadata: { role: connection.default_role, via: "sso", connection: connection.name }, at: now });
  return true;
}

async function signIn(db: Database, connection: SsoConnection, profile: SsoProfile, userId: string, client: ClientInfo, now: Date, provisioned: boolean): Promise<SsoSignInOutcome> {
  const user = await db.selectFrom("user").select(["email", "email_verified_at", "deletion_requested_at"]).where("id", "=", userId).executeTakeFirstOrThrow();
  const decision = await checkSignInPolicies(db, { userId, method: "sso", ssoConnectionId: connection.id, ssoMfaAsserted: profile.mfaAsserted, ip: client.ip, now });
  if (!decision.ok) {
    await recordSsoRefusal(db, connection, { reason: decision.reason, email: user.email, ip: client.ip, now });
    return { kind: "refused", reason: decision.reason, message: decision.message };
  }
  const { token } = await createSession(db, userId, client, now, "sso", { limits: decision.sessionLimits, ssoConnectionId: connection.id, ssoMfaAsserted: profile.mfaAsserted });
  if (connection.org_id) {
    await recordAuditEvent(db, {
      orgId: connection.org_id,
      actor: { userId, label: user.email },
      action: provisioned ? "sso.account_provisioned" : "sso.signed_in",
      target: user.email,
      ip: client.ip,
      metadata: { connection: connection.name },
      at: now,
    });
  }
  return { kind: "signed-in", token, userId, emailVerified: user.email_verified_at !== null, deletionPending: user.deletion_requested_at !== null, provisioned, next: decision.next };
}

/**
 * A refused SSO answer: in the org's audit history (actor: the address the IdP
 * named, or "identity provider" when none could be read), and in the log for
 * the instance's connection, which has no org to hold it.
 */
export async function recordSsoRefusal(
  db: Database,
  connection: Pick<SsoConnection, "id" | "org_id" | "name">,
  details: { reason: string; email?: string | null; ip: string | null; now?: Date; detail?: string },
): Promise<void> {
  getLogger().warn({ connectionId: connection.id, reason: details.reason, detail: details.detail }, "sso: sign-in refused");
  if (!connection.org_id) return;
  await recordAuditEvent(db, {
    orgId: connection.org_id,
    actor: { userId: null, label: details.email ?? "identity provider" },
    action: "sso.sign_in_refused",
    target: connection.name,
    ip: details.ip,
    metadata: { reason: details.reason, ...(details.detail ? { detail: details.detail.slice(0, 300) } : {}) },
    ...(details.now ? { at: details.now } : {}),
  });
}
