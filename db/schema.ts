// The Database interface Kysely checks queries against. Hand-kept: update it in
// the same change as the migration that alters a table.
import type { ColumnType, Generated } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface RateLimitTable {
  key: string;
  window_start: Timestamp;
  count: ColumnType<number, number | undefined, number>;
  expires_at: Timestamp;
}

export type OutboxEmailStatus = "queued" | "sending" | "sent" | "failed";

export interface OutboxEmailTable {
  id: Generated<string>;
  template: string;
  to_address: string;
  to_name: string | null;
  subject: string;
  html: string | null;
  text_body: string | null;
  status: ColumnType<OutboxEmailStatus, OutboxEmailStatus | undefined, OutboxEmailStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  next_attempt_at: DefaultedTimestamp;
  claim_token: string | null;
  locked_until: Timestamp | null;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
  sent_at: Timestamp | null;
}

export interface UserTable {
  id: Generated<string>;
  email: string;
  email_verified_at: Timestamp | null;
  password_hash: string;
  name: string | null;
  is_operator: ColumnType<boolean, boolean | undefined, boolean>;
  deletion_requested_at: Timestamp | null;
  purge_after: Timestamp | null;
  /** Which purge run holds this account, and until when (see accounts/deletion-purge.ts). */
  purge_claim_token: ColumnType<string | null, string | null | undefined, string | null>;
  purge_lease_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

/** Every address an account has had; written by a trigger on "user", erased with the account. */
export interface UserEmailHistoryTable {
  user_id: string;
  email: string;
  first_used_at: DefaultedTimestamp;
}

/** IP addresses a running purge found on the person's audit events, until it finishes. */
export interface PurgeFoundIpTable {
  user_id: string;
  ip: string;
}

export interface SessionTable {
  id: string;
  secret_hash: Uint8Array;
  user_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  absolute_expires_at: Timestamp;
  ip: string | null;
  user_agent: string | null;
  auth_method: ColumnType<SessionAuthMethod, SessionAuthMethod | undefined, SessionAuthMethod>;
  /** The last sign-in proof (step-up); null means the session's created_at. */
  authenticated_at: Timestamp | null;
  /** Set when the session was made through an SSO connection (see sso/). */
  sso_connection_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Idle timeout an org policy set for this session (seconds); null: SESSION_IDLE_MS. */
  idle_timeout_seconds: ColumnType<number | null, number | null | undefined, number | null>;
  /** The IdP asserted MFA for this SSO sign-in (org policies may require it). */
  sso_mfa_asserted: ColumnType<boolean, boolean | undefined, boolean>;
}

export type SessionAuthMethod = "password" | "password+totp" | "password+passkey" | "password+recovery-code" | "passkey" | "sso";

export interface TotpFactorTable {
  user_id: string;
  secret_ciphertext: string;
  confirmed_at: Timestamp | null;
  /** bigint: pg returns it as a string. */
  last_used_step: ColumnType<string | null, string | number | bigint | null, string | number | bigint | null>;
  created_at: DefaultedTimestamp;
}

export interface RecoveryCodeTable {
  id: Generated<string>;
  user_id: string;
  code_hash: Uint8Array;
  used_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface PasskeyTable {
  id: Generated<string>;
  user_id: string;
  credential_id: string;
  public_key: Uint8Array;
  counter: ColumnType<string, string | number | undefined, string | number>;
  transports: ColumnType<string, string | undefined, string>;
  backed_up: ColumnType<boolean, boolean | undefined, boolean>;
  name: string;
  created_at: DefaultedTimestamp;
  last_used_at: Timestamp | null;
}

export interface WebauthnChallengeTable {
  challenge_hash: Uint8Array;
  purpose: "register" | "authenticate";
  user_id: string | null;
  expires_at: Timestamp;
}

export interface PendingSignInTable {
  id: string;
  secret_hash: Uint8Array;
  user_id: string;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface EmailVerificationTable {
  id: Generated<string>;
  user_id: string;
  purpose: "signup" | "email-change";
  email: string;
  code_hash: Uint8Array;
  token_hash: Uint8Array;
  attempts: ColumnType<number, number | undefined, number>;
  expires_at: Timestamp;
  created_at: DefaultedTimestamp;
}

export interface PasswordResetTable {
  token_hash: Uint8Array;
  user_id: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface SignupInvitationTable {
  id: Generated<string>;
  email: string;
  token_hash: Uint8Array;
  source: string;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface WaitlistEntryTable {
  id: Generated<string>;
  email: string;
  name: string | null;
  company: string | null;
  ip: string | null;
  user_agent: string | null;
  confirm_token_hash: Uint8Array | null;
  confirm_expires_at: Timestamp | null;
  confirmation_sent_at: Timestamp | null;
  confirmed_at: Timestamp | null;
  invited_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface InstanceSecretTable {
  name: string;
  value: string;
  created_at: DefaultedTimestamp;
}

export type OrgRole = "owner" | "admin" | "member";

export interface OrgTable {
  id: Generated<string>;
  slug: string;
  name: string;
  plan: string;
  seat_limit: number | null;
  purge_after: Timestamp | null;
  /** The current subscription's provider status (null: never subscribed). */
  billing_status: ColumnType<string | null, string | null | undefined, string | null>;
  billing_ends_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface MembershipTable {
  org_id: string;
  user_id: string;
  role: OrgRole;
  created_at: DefaultedTimestamp;
}

export interface OrgInvitationTable {
  id: Generated<string>;
  org_id: string;
  email: string;
  role: OrgRole;
  token_hash: Uint8Array;
  invited_by: string | null;
  expires_at: Timestamp;
  accepted_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface ApiKeyTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  prefix: string;
  secret_hash: Uint8Array;
  created_by: string | null;
  created_at: DefaultedTimestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** Set when the org capped key lifetimes; an expired key is refused like a revoked one. */
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface AuditEventTable {
  id: Generated<string>;
  org_id: string;
  actor_id: string | null;
  actor_label: string;
  action: string;
  target: string | null;
  ip: string | null;
  metadata: ColumnType<Record<string, unknown>, string | undefined, string>;
  created_at: DefaultedTimestamp;
  /** The event's place in its org's hash chain; null for events from before the chain (docs/audit.md). */
  seq: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  prev_hash: Buffer | null;
  hash: Buffer | null;
  /** The keyed hashes of actor id, actor, target, ip and metadata (16 bytes each) that the hash covers. */
  commitments: Buffer | null;
}

/** One row per org: the head of its audit hash chain, locked by every append. */
export interface AuditChainTable {
  org_id: string;
  mac_key: string;
  seq: ColumnType<string, string | number | undefined, string | number>;
  head_hash: Buffer | null;
  start_seq: ColumnType<string, string | number | undefined, string | number>;
  start_prev_hash: Buffer | null;
  checkpoint_seq: ColumnType<string, string | number | undefined, string | number>;
  checkpoint_at: Date | null;
  created_at: DefaultedTimestamp;
}

export interface NoticeTable {
  id: Generated<string>;
  title: string;
  body: string;
  link: string | null;
  published_at: DefaultedTimestamp;
  show_until: Timestamp;
  created_by: string | null;
  /** Emails queued so far by the worker's fan-out, and those refused (a bad address). */
  emails_queued: ColumnType<number, number | undefined, number>;
  emails_refused: ColumnType<number, number | undefined, number>;
  /** The last recipient (user id) the fan-out has queued for; null before the first batch. */
  fanout_cursor: ColumnType<string | null, string | null | undefined, string | null>;
  /** When every recipient had been queued; null while the fan-out is pending. */
  fanout_done_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface NoticeDismissalTable {
  notice_id: string;
  user_id: string;
  dismissed_at: DefaultedTimestamp;
}

export interface BillingCheckoutTable {
  id: Generated<string>;
  org_id: string;
  variant_id: string;
  seats: number;
  created_by: string | null;
  provider_checkout_id: string | null;
  created_at: DefaultedTimestamp;
  provider_subscription_id: string | null;
}

export interface SubscriptionTable {
  id: Generated<string>;
  org_id: string;
  provider: ColumnType<string, string | undefined, string>;
  provider_subscription_id: string;
  provider_customer_id: string | null;
  provider_order_id: string | null;
  checkout_id: string | null;
  variant_id: string;
  plan: string;
  status: string;
  seats: number;
  renews_at: Timestamp | null;
  ends_at: Timestamp | null;
  trial_ends_at: Timestamp | null;
  test_mode: ColumnType<boolean, boolean | undefined, boolean>;
  provider_updated_at: Timestamp;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export type WebhookEventStatus = "pending" | "processing" | "applied" | "skipped" | "failed";

export interface WebhookEventTable {
  id: Generated<string>;
  source: string;
  dedupe_key: string;
  event_name: string;
  body: string | null;
  resource_type: string | null;
  resource_id: string | null;
  org_id: string | null;
  status: ColumnType<WebhookEventStatus, WebhookEventStatus | undefined, WebhookEventStatus>;
  outcome: string | null;
  error: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DefaultedTimestamp;
  claim_token: string | null;
  locked_until: Timestamp | null;
  deliveries: ColumnType<number, number | undefined, number>;
  received_at: DefaultedTimestamp;
  last_received_at: DefaultedTimestamp;
  processed_at: Timestamp | null;
}

export type DeferredAccountWorkKind = "failed-login" | "password-reset";

export interface DeferredAccountWorkTable {
  id: Generated<string>;
  kind: DeferredAccountWorkKind;
  email: string;
  ip: string | null;
  requested_at: Timestamp;
  attempts: ColumnType<number, number | undefined, number>;
  not_before: DefaultedTimestamp;
}

export type OAuthAppType = "web" | "native" | "service";

export interface OAuthAppTable {
  client_id: string;
  name: string;
  type: OAuthAppType;
  redirect_uris: ColumnType<string[], string, string>;
  grant_types: ColumnType<string[], string, string>;
  scopes: ColumnType<string[], string, string>;
  resources: ColumnType<string[], string, string>;
  trusted: ColumnType<boolean, boolean | undefined, boolean>;
  /** SHA-256 (hex) of the client secret; null for public clients. */
  secret_hash: string | null;
  created_at: DefaultedTimestamp;
}

export interface OidcPayloadTable {
  kind: string;
  id: string;
  payload: ColumnType<Record<string, unknown>, string, string>;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  account_id: string | null;
  client_id: string | null;
  details: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  expires_at: Timestamp | null;
  consumed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface OidcKeyTable {
  kid: string;
  purpose: "signing" | "cookie";
  encrypted_material: string;
  created_at: DefaultedTimestamp;
  retired_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** A form render that created something: its repeat POST creates nothing (app/.server/form-guards/one-time-form.ts). */
export interface FormSubmissionTable {
  token: string;
  user_id: string;
  purpose: string;
  result: string | null;
  created_at: DefaultedTimestamp;
}

/** An address an org gave up; links to it redirect to the org's current one. */
export interface OrgSlugHistoryTable {
  slug: string;
  org_id: string;
  replaced_at: DefaultedTimestamp;
}

/** An org that was deleted, kept for operators (the org's own rows are gone). */
export interface OrgDeletionTable {
  id: Generated<string>;
  org_id: string;
  slug: string;
  name: string;
  plan: string;
  member_count: number;
  deleted_by: string | null;
  cancelled_subscriptions: ColumnType<string[], string | undefined, string>;
  deleted_at: DefaultedTimestamp;
}

export type SsoConnectionKind = "oidc" | "saml";

/** An org's (org_id null: the instance's) SSO connection; see db/migrations/2026_12_02_0000. */
export interface SsoConnectionTable {
  id: Generated<string>;
  org_id: string | null;
  kind: SsoConnectionKind;
  name: string;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  default_role: ColumnType<"admin" | "member", "admin" | "member" | undefined, "admin" | "member">;
  oidc_issuer: string | null;
  /** A pasted discovery document (jsonb), for an IdP we cannot reach. */
  oidc_discovery: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  oidc_client_id: string | null;
  oidc_client_secret_ciphertext: string | null;
  oidc_scopes: string | null;
  saml_idp_entity_id: string | null;
  saml_idp_sso_url: string | null;
  saml_idp_certificate: string | null;
  saml_idp_metadata_xml: string | null;
  certificate_expires_at: Timestamp | null;
  last_tested_at: Timestamp | null;
  last_test_result: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  created_at: DefaultedTimestamp;
  updated_at: DefaultedTimestamp;
}

export interface SsoDomainTable {
  id: Generated<string>;
  org_id: string | null;
  connection_id: string | null;
  domain: string;
  verification_token: string;
  verified_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

export interface SsoIdentityTable {
  connection_id: string;
  subject: string;
  user_id: string;
  created_at: DefaultedTimestamp;
  last_sign_in_at: Timestamp | null;
}

/** An org's security policies (orgs/security-policy/); no row: nothing required. */
export interface OrgSecurityPolicyTable {
  org_id: string;
  require_two_factor: ColumnType<boolean, boolean | undefined, boolean>;
  /** End of the members' grace period: enforced from then on. */
  two_factor_enforced_from: Timestamp | null;
  sso_needs_idp_mfa: ColumnType<boolean, boolean | undefined, boolean>;
  require_sso: ColumnType<boolean, boolean | undefined, boolean>;
  sso_enforced_from: Timestamp | null;
  session_max_minutes: number | null;
  session_idle_minutes: number | null;
  invite_domains: ColumnType<string[], string[] | undefined, string[]>;
  api_key_max_days: number | null;
  updated_at: DefaultedTimestamp;
}

/** An AuthnRequest we sent, until its answer arrives or it expires (InResponseTo check). */
export interface SamlRequestTable {
  id: string;
  connection_id: string;
  expires_at: Timestamp;
  created_at: DefaultedTimestamp;
}

/** An assertion id already accepted, kept until the assertion expires (replay check). */
/** A scheduled job's current runner (jobs/lease.ts). */
export interface JobLeaseTable {
  name: string;
  holder: string;
  expires_at: Timestamp;
}

export interface SamlAssertionSeenTable {
  connection_id: string;
  assertion_id: string;
  expires_at: Timestamp;
}

/** A certificate-expiry email sent: one per connection, certificate date and threshold. */
export interface SamlCertificateNoticeTable {
  connection_id: string;
  certificate_expires_at: Timestamp;
  days_before: number;
  sent_at: DefaultedTimestamp;
}

export interface WebhookEndpointTable {
  id: string;
  /** null: an instance endpoint (the vendor's apps). */
  org_id: string | null;
  url: string;
  description: ColumnType<string, string | undefined, string>;
  event_types: ColumnType<string[], string[], string[]>;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Timestamp | null;
  created_by: string | null;
  created_at: DefaultedTimestamp;
  disabled_at: Timestamp | null;
  disabled_reason: string | null;
  failure_streak: ColumnType<number, number | undefined, number>;
  failing_since: Timestamp | null;
}

export interface OutboundEventTable {
  id: Generated<string>;
  type: string;
  org_id: string | null;
  subject_user_id: string | null;
  body: string;
  created_at: DefaultedTimestamp;
  fanned_out_at: Timestamp | null;
}

export type WebhookDeliveryStatus = "pending" | "sending" | "delivered" | "failed";

export interface WebhookDeliveryTable {
  id: Generated<string>;
  event_id: string;
  endpoint_id: string;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: DefaultedTimestamp;
  claim_token: string | null;
  locked_until: Timestamp | null;
  last_attempt_at: Timestamp | null;
  last_status_code: number | null;
  last_duration_ms: number | null;
  last_error: string | null;
  delivered_at: Timestamp | null;
  created_at: DefaultedTimestamp;
}

/** One SSO round trip in flight (db/migrations/2026_12_02_4000). */
export interface SsoAttemptTable {
  id: Generated<string>;
  binding_hash: Uint8Array;
  connection_id: string;
  purpose: "sign-in" | "test";
  state: string;
  nonce: string | null;
  code_verifier: string | null;
  request_id: string | null;
  return_to: string | null;
  /** The IdP URL /sso/continue moves the browser on to. */
  continue_url: string | null;
  /** A SAML verdict waiting for the browser's same-site GET (jsonb). */
  verdict: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  tester_user_id: string | null;
  expires_at: Timestamp;
  created_at: DefaultedTimestamp;
}

/** An SSO identity waiting for its account to prove itself before it is linked. */
export interface SsoPendingLinkTable {
  id: Generated<string>;
  token_hash: Uint8Array;
  connection_id: string;
  subject: string;
  user_id: string;
  expires_at: Timestamp;
  created_at: DefaultedTimestamp;
}

export interface DB {
  sso_attempt: SsoAttemptTable;
  sso_pending_link: SsoPendingLinkTable;
  org_security_policy: OrgSecurityPolicyTable;
  sso_connection: SsoConnectionTable;
  saml_request: SamlRequestTable;
  saml_assertion_seen: SamlAssertionSeenTable;
  job_lease: JobLeaseTable;
  saml_certificate_notice: SamlCertificateNoticeTable;
  sso_domain: SsoDomainTable;
  sso_identity: SsoIdentityTable;
  webhook_endpoint: WebhookEndpointTable;
  outbound_event: OutboundEventTable;
  webhook_delivery: WebhookDeliveryTable;
  oauth_app: OAuthAppTable;
  oidc_payload: OidcPayloadTable;
  oidc_key: OidcKeyTable;
  form_submission: FormSubmissionTable;
  org_slug_history: OrgSlugHistoryTable;
  org_deletion: OrgDeletionTable;
  billing_checkout: BillingCheckoutTable;
  subscription: SubscriptionTable;
  webhook_event: WebhookEventTable;
  notice: NoticeTable;
  notice_dismissal: NoticeDismissalTable;
  org: OrgTable;
  membership: MembershipTable;
  org_invitation: OrgInvitationTable;
  api_key: ApiKeyTable;
  audit_event: AuditEventTable;
  audit_chain: AuditChainTable;
  waitlist_entry: WaitlistEntryTable;
  instance_secret: InstanceSecretTable;
  user: UserTable;
  user_email_history: UserEmailHistoryTable;
  purge_found_ip: PurgeFoundIpTable;
  session: SessionTable;
  totp_factor: TotpFactorTable;
  recovery_code: RecoveryCodeTable;
  passkey: PasskeyTable;
  webauthn_challenge: WebauthnChallengeTable;
  pending_sign_in: PendingSignInTable;
  email_verification: EmailVerificationTable;
  password_reset: PasswordResetTable;
  signup_invitation: SignupInvitationTable;
  rate_limit: RateLimitTable;
  outbox_email: OutboxEmailTable;
  deferred_account_work: DeferredAccountWorkTable;
}
