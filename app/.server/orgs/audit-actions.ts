// Every action the portal itself records, for the audit page's action filter.
// Listing them here, rather than asking the table (a SELECT DISTINCT over the
// whole history took 383 ms at 2M events), keeps the page's cost independent of
// the history's size. A test (audit-actions.test.ts) reads the source for
// `action: "…"` literals, so an action added without listing it fails CI.
// Events pushed through /api/v1 carry actions of the vendor's own choosing:
// the filter still matches those exactly when one is given in the address.
export const AUDIT_ACTIONS = [
  "account.deletion_cancelled",
  "account.deletion_scheduled",
  "account.mfa_reset",
  "api_key.created",
  "api_key.first_used",
  "api_key.revoked",
  "audit.checkpoint",
  "auth.login_failed",
  "billing.checkout_started",
  "billing.order_created",
  "billing.order_refunded",
  "billing.payment_failed",
  "billing.payment_recovered",
  "billing.payment_refunded",
  "billing.payment_succeeded",
  "billing.subscription_changed",
  "billing.subscription_started",
  "member.invitation_resent",
  "member.invitation_revoked",
  "member.invited",
  "member.joined",
  "member.left",
  "member.removed",
  "member.role_changed",
  "org.created",
  "org.ownership_transferred",
  "org.renamed",
  "org.slug_changed",
  "security_policy.api_key_lifetime_changed",
  "security_policy.break_glass_used",
  "security_policy.invite_domains_changed",
  "security_policy.session_limits_changed",
  "security_policy.sso_mfa_rule_changed",
  "security_policy.sso_not_required",
  "security_policy.sso_required",
  "security_policy.two_factor_not_required",
  "security_policy.two_factor_required",
  "webhook.created",
  "webhook.deleted",
  "webhook.enabled",
  "webhook.secret_rotated",
  "sso.account_linked",
  "sso.account_provisioned",
  "sso.connection_created",
  "sso.connection_deleted",
  "sso.connection_disabled",
  "sso.connection_enabled",
  "sso.connection_tested",
  "sso.connection_updated",
  "sso.domain_claimed",
  "sso.domain_removed",
  "sso.domain_verified",
  "sso.sign_in_refused",
  "sso.signed_in",
] as const;

/** The choices for the action filter: the known actions, plus the one asked for if it is another. */
export function actionChoices(current: string | undefined): string[] {
  const known: string[] = [...AUDIT_ACTIONS];
  return current && !known.includes(current) ? [...known, current].sort() : known;
}
