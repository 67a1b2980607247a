// Periodic clean-up of rows that have expired: rate-limit windows, sessions,
// single-use tokens nobody used, SAML request and assertion ids past their
// expiry, audit events past their retention, and outbound events past theirs.
// Run by one process at a time (the lease in background.ts), and every step in
// batches of its own short transactions (batched-delete.ts), so the job never
// holds a lock or a transaction for long however much has piled up.
import { sql } from "kysely";
import type { Database } from "../db";
import { deleteInBatches } from "./batched-delete";
import { deleteExpiredOidcPayloads } from "../identity/adapter";
import { deleteExpiredRateLimits } from "../rate-limit";
import { deleteExpiredAuditEvents } from "../orgs/audit";
import { deleteExpiredSessions } from "../session";
import { deleteExpiredChallenges } from "../accounts/mfa/passkeys";
import { deleteExpiredPendingSignIns } from "../accounts/mfa/pending-sign-in";
import { deleteOldFormTokens } from "../form-guards/one-time-form";
import { deleteExpiredSamlState } from "../sso/saml/state";
import { deleteExpiredEvents } from "../events/retention";

export async function deleteExpiredRows(db: Database, auditRetentionDays: number, now = new Date()) {
  const rateLimits = await deleteExpiredRateLimits(db, now);
  const sessions = await deleteExpiredSessions(db, now);
  const verifications = await deleteInBatches(db, "email_verification", sql`expires_at <= ${now}`);
  const resets = await deleteInBatches(db, "password_reset", sql`expires_at <= ${now}`);
  const invitations = await deleteInBatches(db, "signup_invitation", sql`expires_at <= ${now}`);
  const auditEvents = await deleteExpiredAuditEvents(db, auditRetentionDays, now);
  const pendingSignIns = await deleteExpiredPendingSignIns(db, now);
  const webauthnChallenges = await deleteExpiredChallenges(db, now);
  const oidcArtifacts = await deleteExpiredOidcPayloads(db, now);
  const formTokens = await deleteOldFormTokens(db, now);
  const samlState = await deleteExpiredSamlState(db, now);
  const outboundEvents = await deleteExpiredEvents(db, now);
  // SSO round trips abandoned at the IdP, and links nobody proved in time.
  const ssoAttempts = await deleteInBatches(db, "sso_attempt", sql`expires_at <= ${now}`);
  const ssoPendingLinks = await deleteInBatches(db, "sso_pending_link", sql`expires_at <= ${now}`);
  return {
    rateLimits,
    sessions,
    verifications,
    resets,
    invitations,
    auditEvents,
    pendingSignIns,
    webauthnChallenges,
    oidcArtifacts,
    formTokens,
    samlRequests: samlState.requests,
    samlAssertions: samlState.assertions,
    outboundEvents,
    ssoAttempts,
    ssoPendingLinks,
  };
}
