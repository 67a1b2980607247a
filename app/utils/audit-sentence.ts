// An audit event as a sentence: "Ada Lovelace created API key CI deploys".
// Isomorphic and pure, so the page and its tests read the same words. The
// actor's name comes first and is rendered by the caller (it may be a link);
// this gives the rest: a verb phrase, the object (which may also be a link)
// and an optional tail.

export type AuditSentenceInput = { action: string; target: string | null; metadata: Record<string, unknown> };

/** What the object of the sentence points at, so the page can link it when it still exists. */
export type AuditObjectKind = "api-key" | "person" | "invitation" | "org" | "billing" | "text";

export type AuditSentence = { verb: string; object: string | null; objectKind: AuditObjectKind; tail: string };

// "gk_1a2b3c4d… (CI deploys)" → "CI deploys"; "gk_1a2b3c4d…" stays as it is.
export function apiKeyName(target: string | null): string | null {
  if (!target) return null;
  return /^\S+… \((.+)\)$/.exec(target)?.[1] ?? target;
}

/** The key prefix in an API key target ("gk_1a2b3c4d"), to find the key. */
export function apiKeyPrefix(target: string | null): string | null {
  return target ? (/^(\S+)…/.exec(target)?.[1] ?? null) : null;
}

const str = (value: unknown): string | null => (typeof value === "string" || typeof value === "number" ? String(value) : null);

function change(value: unknown): string {
  if (value && typeof value === "object" && "from" in value && "to" in value) return `from ${str((value as { from: unknown }).from)} to ${str((value as { to: unknown }).to)}`;
  return str(value) ?? "";
}

// "deploy.finished" → "deploy finished"; "api_key.first_used" → "api key first used".
export function humanizeAction(action: string): string {
  return action.replace(/[._]+/g, " ").trim();
}

// "… (grace period 7 days; 3 members did not comply yet)".
function graceTail(metadata: Record<string, unknown>): string {
  const days = str(metadata.graceDays);
  const pending = str(metadata.notComplying);
  return days !== null ? ` (grace period ${days} days${pending !== null ? `; ${pending} not complying yet` : ""})` : "";
}

export function describeAuditEvent(event: AuditSentenceInput): AuditSentence {
  const { action, target, metadata } = event;
  const role = str(metadata.role);
  const s = (verb: string, object: string | null, objectKind: AuditObjectKind, tail = ""): AuditSentence => ({ verb, object, objectKind, tail });
  switch (action) {
    case "org.created":
      return s("created the organization", target, "org");
    case "org.renamed":
      return s("renamed the organization", str(metadata.to) ?? target, "org", str(metadata.from) ? ` (it was ${str(metadata.from)})` : "");
    case "org.slug_changed":
      return s("moved the organization to the address", str(metadata.to) ?? target, "org", str(metadata.from) ? ` (from ${str(metadata.from)})` : "");
    case "org.ownership_transferred":
      return s("handed ownership to", target, "person");
    case "api_key.created":
      return s("created API key", apiKeyName(target), "api-key");
    case "api_key.revoked":
      return s("revoked API key", apiKeyName(target), "api-key");
    case "api_key.first_used":
      return s("was used for the first time", null, "text");
    case "member.invited":
      return s("invited", target, "invitation", role ? ` as ${role}` : "");
    case "member.invitation_resent":
      return s("resent the invitation to", target, "invitation");
    case "member.invitation_revoked":
      return s("revoked the invitation to", target, "invitation");
    case "member.joined":
      return s("joined the organization", null, "text", role ? ` as ${role}` : "");
    case "member.left":
      return s("left the organization", null, "text");
    case "member.removed":
      return s("removed", target, "person", " from the organization");
    case "member.role_changed":
      return s("changed the role of", target, "person", str(metadata.from) && str(metadata.to) ? ` from ${str(metadata.from)} to ${str(metadata.to)}` : "");
    case "sso.connection_created":
      return s("added the SSO connection", target, "text");
    case "sso.connection_updated":
      return s("changed the SSO connection", target, "text", " (it is off until tested again)");
    case "sso.connection_deleted":
      return s("deleted the SSO connection", target, "text");
    case "sso.connection_enabled":
      return s("switched on the SSO connection", target, "text");
    case "sso.connection_disabled":
      return s("switched off the SSO connection", target, "text");
    case "sso.connection_tested":
      return s("tested the SSO connection", target, "text", metadata.passed === true ? ": it passed" : metadata.passed === false ? ": it failed" : "");
    case "sso.domain_claimed":
      return s("claimed the email domain", target, "text");
    case "sso.domain_verified":
      return s("verified the email domain", target, "text");
    case "sso.domain_removed":
      return s("removed the email domain", target, "text");
    case "sso.signed_in":
      return s("signed in through SSO", null, "text", str(metadata.connection) ? ` (${str(metadata.connection)})` : "");
    case "sso.account_provisioned":
      return s("signed in through SSO for the first time; the account was created", null, "text", str(metadata.connection) ? ` (${str(metadata.connection)})` : "");
    case "sso.account_linked":
      return s("linked their account to the SSO connection", str(metadata.connection), "text");
    case "sso.sign_in_refused":
      return s("was refused an SSO sign-in through", target, "text", str(metadata.reason) ? ` (${str(metadata.reason)})` : "");
    case "account.deletion_scheduled":
      return s("asked for their account to be deleted", null, "text");
    case "account.deletion_cancelled":
      return s("cancelled the deletion of their account", null, "text");
    case "audit.checkpoint":
      return s("sealed the history up to", target, "text", metadata.reason === "retention" ? " (older events were removed by the retention period; the history now starts after them)" : "");
    case "auth.login_failed":
      return s("failed to sign in as", target, "person");
    case "billing.checkout_started":
      return s("started a checkout for", target, "billing");
    case "billing.subscription_started":
      return s("started", target, "billing", metadata.status !== undefined ? `: ${change(metadata.status)}, ${change(metadata.seats)} seats` : "");
    case "billing.subscription_changed":
      return s("changed", target, "billing", metadata.status !== undefined ? `: status ${change(metadata.status)}, seats ${change(metadata.seats)}` : "");
    case "security_policy.two_factor_required":
      return s("required two-factor authentication for members", null, "text", graceTail(metadata));
    case "security_policy.two_factor_not_required":
      return s("stopped requiring two-factor authentication", null, "text");
    case "security_policy.sso_mfa_rule_changed":
      return s(metadata.idpMfaRequired ? "counted SSO sign-ins as two-factor only when the identity provider asserts MFA" : "counted every sign-in through the organization's SSO as two-factor", null, "text");
    case "security_policy.sso_required":
      return s("required members on the organization's domains to sign in with SSO", null, "text", graceTail(metadata));
    case "security_policy.sso_not_required":
      return s("stopped requiring SSO", null, "text");
    case "security_policy.session_limits_changed":
      return s("changed the session limits", null, "text", `: lifetime ${change(metadata.maxMinutes)} minutes, idle timeout ${change(metadata.idleMinutes)} minutes`);
    case "security_policy.invite_domains_changed":
      return s("limited invitations to the domains", str(metadata.domains) ?? target, "text");
    case "security_policy.api_key_lifetime_changed":
      return s("changed the maximum API key lifetime", null, "text", ` ${change(metadata.maxDays)} days`);
    case "security_policy.break_glass_used":
      return s("signed in without SSO (owner break-glass, password and second factor)", null, "text");
    case "webhook.created":
      return s("added the webhook endpoint", target, "text");
    case "webhook.deleted":
      return s("deleted the webhook endpoint", target, "text");
    case "webhook.enabled":
      return s("turned the webhook endpoint back on:", target, "text");
    case "webhook.secret_rotated":
      return s("rotated the signing secret of", target, "text");
    default:
      // Events from other domains and from the vendor's tools (/api/v1): the action in words, and its target.
      return s(`recorded “${humanizeAction(action)}”`, target, action.startsWith("billing.") ? "billing" : "text");
  }
}

/** The whole sentence as plain text (for titles, tests and screen-reader summaries). */
export function auditSentenceText(actor: string, event: AuditSentenceInput): string {
  const sentence = describeAuditEvent(event);
  return `${actor} ${sentence.verb}${sentence.object ? ` ${sentence.object}` : ""}${sentence.tail}`;
}
