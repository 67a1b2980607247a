// Periodic clean-up of rows that have expired: rate-limit windows, sessions,
// single-use tokens nobody used, SAML request and assertion ids past their
// expiry, and audit events past their retention.
// Run by one process at a time.
import type { Database } from "../db";
import { deleteExpiredOidcPayloads } from "../identity/adapter";
import { deleteExpiredRateLimits } from "../rate-limit";
import { deleteExpiredAuditEvents } from "../orgs/audit";
import { deleteExpiredSessions } from "../session";
import { deleteExpiredChallenges } from "../accounts/mfa/passkeys";
import { deleteExpiredPendingSignIns } from "../accounts/mfa/pending-sign-in";
import { deleteOldFormTokens } from "../form-guards/one-time-form";
import { deleteExpiredSamlState } from "../sso/saml/state";

export async function deleteExpiredRows(db: Database, auditRetentionDays: number, now = new Date()) {
  const rateLimits = await deleteExpiredRateLimits(db, now);
  const sessions = await deleteExpiredSessions(db, now);
  const verifications = await db.deleteFrom("email_verification").where("expires_at", "<=", now).executeTakeFirst();
  const resets = await db.deleteFrom("password_reset").where("expires_at", "<=", now).executeTakeFirst();
  const invitations = await db.deleteFrom("signup_invitation").where("expires_at", "<=", now).executeTakeFirst();
  const auditEvents = await deleteExpiredAuditEvents(db, auditRetentionDays, now);
  const pendingSignIns = await deleteExpiredPendingSignIns(db, now);
  const webauthnChallenges = await deleteExpiredChallenges(db, now);
  const oidcArtifacts = await deleteExpiredOidcPayloads(db, now);
  const formTokens = await deleteOldFormTokens(db, now);
  const samlState = await deleteExpiredSamlState(db, now);
  return {
    rateLimits,
    sessions,
    verifications: Number(verifications.numDeletedRows),
    resets: Number(resets.numDeletedRows),
    invitations: Number(invitations.numDeletedRows),
    auditEvents,
    pendingSignIns,
    webauthnChallenges,
    oidcArtifacts,
    formTokens,
    samlRequests: samlState.requests,
    samlAssertions: samlState.assertions,
  };
}
