// Our SAML service provider for one connection, as a node-saml instance. The
// library does what must not be hand-written: the AuthnRequest encoding and the
// XML signature check that returns only the bytes the signature covers
// (ADR 0022). Audience, recipient, time window, InResponseTo and replay are
// checked by response.ts on those signed bytes, with the caller's clock and our
// own tables, so they are switched off here.
import { generateServiceProviderMetadata, SAML, ValidateInResponseTo } from "@node-saml/node-saml";
import type { SsoConnection } from "../connections";
import type { SamlIdpSettings } from "./connection-settings";
import { samlServiceProviderUrls } from "./urls";

export const NAMEID_EMAIL = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

export function serviceProvider(connection: SsoConnection, idp: SamlIdpSettings, options: { requestId?: string } = {}): SAML {
  const urls = samlServiceProviderUrls(connection.id);
  return new SAML({
    entryPoint: idp.ssoUrl,
    issuer: urls.entityId,
    callbackUrl: urls.acsUrl,
    idpCert: idp.certificates,
    // Only a signed assertion counts; a signed Response around an unsigned
    // assertion is refused, and a Response need not be signed itself.
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: false,
    // Checked in response.ts (injected clock, our tables, one check each).
    audience: false,
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
    // Ask for no particular NameID format or authentication method: some IdPs
    // refuse a request whose format or context they were not set up for, and
    // the method (MFA or not) is read from the answer instead.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: "sha256",
    ...(options.requestId ? { generateUniqueId: () => options.requestId! } : {}),
  });
}

/** Our SP metadata XML for the IdP admin: entity id, ACS (HTTP-POST), email NameID, signed assertions wanted. */
export function samlServiceProviderMetadata(connection: Pick<SsoConnection, "id">): string {
  const urls = samlServiceProviderUrls(connection.id);
  return generateServiceProviderMetadata({
    issuer: urls.entityId,
    callbackUrl: urls.acsUrl,
    identifierFormat: NAMEID_EMAIL,
    wantAssertionsSigned: true,
    generateUniqueId: () => `_${connection.id.replace(/-/g, "")}`,
  });
}
