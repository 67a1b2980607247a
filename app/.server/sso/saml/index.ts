// SAML 2.0 service provider (ADR 0022, docs/sso-saml.md). The routes under
// /sso/saml/:connection and the connection settings use only what is exported
// here:
//
//   parseIdpMetadata(xml)
//     → { ok: true, entityId, ssoUrl, certificates: string[] (PEM), certificateExpiresAt: Date }
//     | { ok: false, message }                 (a sentence to show the admin)
//   parseCertificates(text) → { certificates: { pem, expiresAt, subject }[], invalid }
//   earliestExpiry(certificates) → Date | null  (what certificate_expires_at holds)
//     For a connection set up by hand: entity id + SSO URL + pasted PEM(s).
//
//   samlIdpSettings(connection) → { ok: true, settings: { entityId, ssoUrl, certificates } } | { ok: false, message }
//     What sign-in uses: the columns, or the stored metadata XML where they are empty.
//
//   samlServiceProviderUrls(connectionId) → { entityId, acsUrl, metadataUrl, loginUrl }
//     On PUBLIC_URL: /sso/saml/:id/metadata (also our entity id), /acs, /login.
//   samlServiceProviderMetadata(connection) → XML string (WantAssertionsSigned,
//     emailAddress NameID, ACS with HTTP-POST)
//
//   startSamlSignIn(db, connection, { relayState?, now? })
//     → { ok: true, redirectUrl, requestId, relayState } | { ok: false, message }
//     An AuthnRequest (HTTP-Redirect binding); its id is stored for 10 minutes
//     for the InResponseTo check. Keep requestId in the browser (e.g. a cookie)
//     to tie the answer to the browser that started. relayState is passed
//     through safeRelayState (an unsafe one is dropped).
//
//   validateSamlResponse(db, connection, { samlResponse, relayState?, now? })
//     → { ok: true, profile: SsoProfile, checks: SsoCheck[], inResponseTo: string | null, relayState: string | null }
//     | { ok: false, reason: SamlFailureReason, message, checks: SsoCheck[] }
//     Never throws on bad input. Checks, by name: RelayState (when given),
//     Connection (only when it lacks an SSO URL or certificate),
//     Well-formed response, IdP status, Single signed assertion (no signature
//     wrapping), Assertion signed (by the connection's certificate(s); a signed
//     Response alone is refused), Issuer (when the IdP entity id is known),
//     Audience, Recipient, Time window (±3 min), Email, InResponseTo (a request
//     we sent, used once; none = IdP-initiated), Not replayed. A good answer
//     uses up its request and records its assertion id until it expires.
//
//     It does not look at connection.enabled: "Test connection" runs it on a
//     connection that is still off; the ACS route refuses those itself.
//     The IdP POSTs to the ACS from its own site: the CSRF guard must let
//     /sso/saml/:id/acs through (the signed assertion is the proof), and a
//     SameSite=Lax cookie set at /login is not sent with that POST.
//
//   safeRelayState(value) → our own path ("/x?y") or null (never another site)
//   deleteExpiredSamlState(db, now?)  (run by jobs/cleanup.ts)
//   sendCertificateExpiryNotices(db, { now? })  (run by the background work)
export { earliestExpiry, parseCertificates, type ParsedCertificate } from "./certificates";
export { EXPIRY_NOTICE_DAYS, sendCertificateExpiryNotices, type CertificateExpiryRun } from "./certificate-expiry";
export { samlIdpSettings, type SamlIdpSettings } from "./connection-settings";
export { parseIdpMetadata, type IdpMetadata, type IdpMetadataResult } from "./idp-metadata";
export { CLOCK_SKEW_MS, validateSamlResponse, type SamlFailureReason, type SamlResponseInput, type SamlResponseResult } from "./response";
export { samlServiceProviderMetadata } from "./service-provider";
export { startSamlSignIn, type StartSamlSignInResult } from "./sign-in";
export { deleteExpiredSamlState, REQUEST_LIFETIME_MS } from "./state";
export { safeRelayState, samlServiceProviderUrls, type SamlServiceProviderUrls } from "./urls";
