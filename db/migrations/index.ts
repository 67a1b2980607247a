// Every migration, by name, in the order they run. Listed here (not read from the
// file system) so the bundled server carries them. Add new ones at the end.
import type { Migration } from "kysely";
import * as createRateLimit from "./2026_11_22_1300_create_rate_limit";
import * as createOutboxEmail from "./2026_11_22_1330_create_outbox_email";
import * as createAccounts from "./2026_11_22_1400_create_accounts";
import * as createWaitlist from "./2026_11_22_1430_create_waitlist";
import * as createOrgs from "./2026_11_22_1500_create_orgs";
import * as addDeletionAndNotices from "./2026_11_22_1530_add_deletion_and_notices";
import * as createBilling from "./2026_11_22_1600_create_billing";
import * as addLookupIndexes from "./2026_11_22_1700_add_lookup_indexes";
import * as addEmailHistoryAndPurgeState from "./2026_12_01_0800_add_email_history_and_purge_state";
import * as createDeferredAccountWork from "./2026_12_01_0900_create_deferred_account_work";
import * as createFormSubmission from "./2026_12_01_1100_create_form_submission";
import * as createOrgSlugHistoryAndDeletions from "./2026_12_01_1200_create_org_slug_history_and_deletions";
import * as addScaleIndexes from "./2026_12_01_1300_add_scale_indexes";
import * as addNoticeFanout from "./2026_12_01_1310_add_notice_fanout";
import * as createMfa from "./2026_12_01_1400_create_mfa";
import * as createOidcProvider from "./2026_12_01_1500_create_oidc_provider";
import * as createSsoConnections from "./2026_12_02_0000_create_sso_connections";
import * as createWebhookEndpoints from "./2026_12_02_1000_create_webhook_endpoints";
import * as addAuditChain from "./2026_12_02_2000_add_audit_chain";
import * as createOrgSecurityPolicy from "./2026_12_02_3000_create_org_security_policy";
import * as createSsoSignInState from "./2026_12_02_4000_create_sso_sign_in_state";
import * as createSamlState from "./2026_12_02_5000_create_saml_state";
import * as createJobLease from "./2026_12_03_0000_create_job_lease";
import * as addSsoPendingLinkExpiryIndex from "./2026_12_03_0100_add_sso_pending_link_expiry_index";

export const migrations: Record<string, Migration> = {
  "2026_11_22_1300_create_rate_limit": createRateLimit,
  "2026_11_22_1330_create_outbox_email": createOutboxEmail,
  "2026_11_22_1400_create_accounts": createAccounts,
  "2026_11_22_1430_create_waitlist": createWaitlist,
  "2026_11_22_1500_create_orgs": createOrgs,
  "2026_11_22_1530_add_deletion_and_notices": addDeletionAndNotices,
  "2026_11_22_1600_create_billing": createBilling,
  "2026_11_22_1700_add_lookup_indexes": addLookupIndexes,
  "2026_12_01_0800_add_email_history_and_purge_state": addEmailHistoryAndPurgeState,
  "2026_12_01_0900_create_deferred_account_work": createDeferredAccountWork,
  "2026_12_01_1100_create_form_submission": createFormSubmission,
  "2026_12_01_1200_create_org_slug_history_and_deletions": createOrgSlugHistoryAndDeletions,
  "2026_12_01_1300_add_scale_indexes": addScaleIndexes,
  "2026_12_01_1310_add_notice_fanout": addNoticeFanout,
  "2026_12_01_1400_create_mfa": createMfa,
  "2026_12_01_1500_create_oidc_provider": createOidcProvider,
  "2026_12_02_0000_create_sso_connections": createSsoConnections,
  "2026_12_02_1000_create_webhook_endpoints": createWebhookEndpoints,
  "2026_12_02_2000_add_audit_chain": addAuditChain,
  "2026_12_02_3000_create_org_security_policy": createOrgSecurityPolicy,
  "2026_12_02_4000_create_sso_sign_in_state": createSsoSignInState,
  "2026_12_02_5000_create_saml_state": createSamlState,
  "2026_12_03_0000_create_job_lease": createJobLease,
  "2026_12_03_0100_add_sso_pending_link_expiry_index": addSsoPendingLinkExpiryIndex,
};
