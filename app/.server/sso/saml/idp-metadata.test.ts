// Reading IdP metadata: a real IdP's (samlify) is understood; anything else is
// refused with a sentence that says what is wrong.
import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FakeSamlIdp, TEST_IDP_KEYS } from "../../../../test/fakes/saml-idp";
import { earliestExpiry, parseCertificates, parseIdpMetadata, samlServiceProviderMetadata } from "./index";

const idp = new FakeSamlIdp(); // not started: only its metadata is used
const certBody = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s+/g, "");
const entity = (inner: string, root = `entityID="https://idp.example/"`) =>
  `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ${root}>${inner}</md:EntityDescriptor>`;
const keyDescriptor = (body: string, use = ` use="signing"`) =>
  `<md:KeyDescriptor${use}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;
const redirect = `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example/sso"/>`;
const idpDescriptor = (inner: string) => `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${inner}</md:IDPSSODescriptor>`;

function refusedWith(xml: string, pattern: RegExp) {
  const result = parseIdpMetadata(xml);
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.message).toMatch(pattern);
}

describe("parseIdpMetadata", () => {
  it("reads a real IdP's metadata: entity id, redirect SSO URL, signing certificate and its expiry", () => {
    const result = parseIdpMetadata(idp.metadata());
    expect(result).toEqual({
      ok: true,
      entityId: idp.entityId,
      ssoUrl: idp.ssoUrl,
      certificates: [expect.stringContaining("-----BEGIN CERTIFICATE-----")],
      certificateExpiresAt: new Date(new X509Certificate(TEST_IDP_KEYS.idp.cert).validTo),
    });
    if (result.ok) expect(certBody(result.certificates[0]!)).toBe(certBody(TEST_IDP_KEYS.idp.cert));
  });

  it("keeps every signing certificate of an IdP rolling its key, and the earliest expiry", () => {
    const xml = entity(idpDescriptor(keyDescriptor(certBody(TEST_IDP_KEYS.idp.cert)) + keyDescriptor(certBody(TEST_IDP_KEYS.other.cert), "") + redirect));
    const result = parseIdpMetadata(xml);
    expect(result.ok && result.certificates.length).toBe(2);
    const expiries = [TEST_IDP_KEYS.idp.cert, TEST_IDP_KEYS.other.cert].map((pem) => new Date(new X509Certificate(pem).validTo).getTime());
    expect(result.ok && result.certificateExpiresAt.getTime()).toBe(Math.min(...expiries));
  });

  it("ignores an encryption-only key", () => {
    const xml = entity(idpDescriptor(keyDescriptor(certBody(TEST_IDP_KEYS.other.cert), ` use="encryption"`) + redirect));
    refusedWith(xml, /no signing certificate/);
  });

  it("takes the one IdP out of an EntitiesDescriptor, and refuses a list of several", () => {
    const one = entity(idpDescriptor(keyDescriptor(certBody(TEST_IDP_KEYS.idp.cert)) + redirect));
    const wrap = (inner: string) => `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${inner}</md:EntitiesDescriptor>`;
    expect(parseIdpMetadata(wrap(one.replace(/ xmlns:md="[^"]*"/, ""))).ok).toBe(true);
    refusedWith(wrap(one + one), /lists 2 identity providers/);
  });

  it("refuses garbage with a message that says what is wrong", () => {
    refusedWith("", /empty/);
    refusedWith("hello", /not XML/);
    refusedWith("<html><body>Sign in</body>", /not well-formed XML/);
    refusedWith("<foo/>", /not SAML metadata/);
    refusedWith(`<!DOCTYPE x [<!ENTITY a "b">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"/>`, /DOCTYPE/);
    refusedWith(entity("", ""), /no entityID/);
    refusedWith(entity(""), /no IDPSSODescriptor/);
    refusedWith(samlServiceProviderMetadata({ id: "00000000-0000-4000-8000-000000000000" }), /service provider's metadata/);
    refusedWith(entity(idpDescriptor(redirect)), /no signing certificate/);
    refusedWith(entity(idpDescriptor(keyDescriptor("bm90IGEgY2VydA==") + redirect)), /Signing certificate 1 .* not a valid X\.509/);
    refusedWith(
      entity(idpDescriptor(keyDescriptor(certBody(TEST_IDP_KEYS.idp.cert)) + redirect.replace("HTTP-Redirect", "HTTP-POST"))),
      /no SingleSignOnService with the HTTP-Redirect binding/,
    );
    refusedWith(entity(idpDescriptor(keyDescriptor(certBody(TEST_IDP_KEYS.idp.cert)) + redirect.replace("https://idp.example/sso", "javascript:alert(1)"))), /no valid http\(s\) Location/);
  });
});

describe("parseCertificates", () => {
  it("reads several PEM blocks or one bare base64 certificate, and counts what is not a certificate", () => {
    const two = parseCertificates(`${TEST_IDP_KEYS.idp.cert}\n${TEST_IDP_KEYS.other.cert}`);
    expect(two.certificates.length).toBe(2);
    expect(two.invalid).toBe(0);
    expect(earliestExpiry(two.certificates)).toBeInstanceOf(Date);
    expect(parseCertificates(certBody(TEST_IDP_KEYS.idp.cert)).certificates.length).toBe(1);
    expect(parseCertificates("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")).toEqual({ certificates: [], invalid: 1 });
    expect(parseCertificates(null)).toEqual({ certificates: [], invalid: 0 });
    expect(earliestExpiry([])).toBe(null);
  });
});
