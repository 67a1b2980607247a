// What an SSO settings page shows: each connection without its secret, the
// URLs to copy into the IdP, the last test, and the claimed domains with the
// DNS record that proves them.
import type { Database } from "../db";
import { newFormToken } from "../form-guards/one-time-form";
import { lastTestResult, listSsoConnections } from "./connections";
import { listSsoDomains, verificationRecordName, verificationRecordValue } from "./domains";
import { ssoUrls } from "./urls";

export async function ssoSettingsView(db: Database, orgId: string | null, mode: "hosted" | "self-hosted", search: URLSearchParams) {
  const [connections, domains] = await Promise.all([listSsoConnections(db, orgId), listSsoDomains(db, orgId)]);
  return {
    mode,
    formToken: newFormToken(),
    editId: search.get("edit"),
    testedId: search.get("tested"),
    connections: connections.map((c) => ({
      id: c.id,
      kind: c.kind,
      name: c.name,
      enabled: c.enabled,
      defaultRole: c.default_role,
      issuer: c.oidc_issuer,
      discovery: c.oidc_discovery ? JSON.stringify(c.oidc_discovery, null, 2) : null,
      clientId: c.oidc_client_id,
      scopes: c.oidc_scopes,
      entityId: c.saml_idp_entity_id,
      ssoUrl: c.saml_idp_sso_url,
      certificate: c.saml_idp_certificate,
      metadataXml: c.saml_idp_metadata_xml,
      certificateExpiresAt: c.certificate_expires_at?.toISOString() ?? null,
      urls: ssoUrls(c.id),
      lastTest: lastTestResult(c),
    })),
    domains: domains.map((d) => ({
      id: d.id,
      domain: d.domain,
      verified: d.verifiedAt !== null,
      connectionId: d.connectionId,
      recordName: verificationRecordName(d.domain),
      recordValue: verificationRecordValue(d.verificationToken),
    })),
  };
}

export type SsoSettingsView = Awaited<ReturnType<typeof ssoSettingsView>>;
