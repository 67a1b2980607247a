// What we need from a SAML connection row to talk to its IdP: the columns the
// settings page wrote, or (when only the metadata XML was saved) what that
// metadata says. One place decides, so sign-in and the ACS never disagree.
import type { SsoConnection } from "../connections";
import { parseCertificates } from "./certificates";
import { parseIdpMetadata } from "./idp-metadata";

export type SamlIdpSettings = { entityId: string | null; ssoUrl: string; certificates: string[] };

export type SamlIdpSettingsResult = { ok: true; settings: SamlIdpSettings } | { ok: false; message: string };

export function samlIdpSettings(connection: SsoConnection): SamlIdpSettingsResult {
  if (connection.kind !== "saml") return { ok: false, message: "This is not a SAML connection." };
  const fromMetadata = connection.saml_idp_metadata_xml ? parseIdpMetadata(connection.saml_idp_metadata_xml) : null;
  const metadata = fromMetadata?.ok ? fromMetadata : null;

  const stored = parseCertificates(connection.saml_idp_certificate);
  const certificates = stored.certificates.length > 0 ? stored.certificates.map((certificate) => certificate.pem) : (metadata?.certificates ?? []);
  const ssoUrl = connection.saml_idp_sso_url ?? metadata?.ssoUrl ?? null;
  const entityId = connection.saml_idp_entity_id ?? metadata?.entityId ?? null;

  if (!ssoUrl) return { ok: false, message: "The connection has no IdP sign-in URL (SSO URL): add it or the IdP's metadata." };
  if (certificates.length === 0) return { ok: false, message: "The connection has no valid IdP signing certificate: add it or the IdP's metadata." };
  return { ok: true, settings: { entityId, ssoUrl, certificates } };
}
