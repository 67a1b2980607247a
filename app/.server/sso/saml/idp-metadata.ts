// Reading the metadata XML an IdP admin uploads or pastes (we never fetch it):
// the IdP's entity id, where to send people to sign in, and the certificates
// its assertions must be signed with.
import { certificateFromBase64, earliestExpiry, type ParsedCertificate } from "./certificates";
import { attribute, childElement, childElements, isElement, NS, parseXml } from "./xml";

const HTTP_REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";

export type IdpMetadata = {
  ok: true;
  entityId: string;
  ssoUrl: string;
  /** PEM blocks, in metadata order. */
  certificates: string[];
  /** The earliest expiry among them: when sign-in may stop working. */
  certificateExpiresAt: Date;
};

export type IdpMetadataResult = IdpMetadata | { ok: false; message: string };

const fail = (message: string) => ({ ok: false as const, message });

export function parseIdpMetadata(xml: string): IdpMetadataResult {
  if (typeof xml !== "string" || !xml.trim()) return fail("Paste or upload the IdP's metadata XML: it is empty.");
  const parsed = parseXml(xml);
  if (!parsed.ok) return fail(`The IdP metadata could not be read: ${parsed.message}`);

  const entity = identityProviderEntity(parsed.document.documentElement);
  if (!entity.ok) return entity;
  const entityId = attribute(entity.element, "entityID");
  if (!entityId) return fail("The metadata's EntityDescriptor has no entityID.");

  const descriptor = childElements(entity.element, NS.metadata, "IDPSSODescriptor").find((element) =>
    (attribute(element, "protocolSupportEnumeration") ?? "").split(/\s+/).includes(SAML2_PROTOCOL),
  );
  if (!descriptor) {
    const isServiceProvider = childElement(entity.element, NS.metadata, "SPSSODescriptor") !== null;
    return fail(
      isServiceProvider
        ? "This is a service provider's metadata (it has an SPSSODescriptor), not the identity provider's: download the metadata from your IdP."
        : "The metadata has no IDPSSODescriptor for SAML 2.0, so it does not describe a SAML 2.0 identity provider.",
    );
  }

  const redirect = childElements(descriptor, NS.metadata, "SingleSignOnService").find((element) => attribute(element, "Binding") === HTTP_REDIRECT);
  if (!redirect) return fail("The IdP offers no SingleSignOnService with the HTTP-Redirect binding, which is how we send people to sign in.");
  const ssoUrl = attribute(redirect, "Location");
  if (!ssoUrl || !isHttpUrl(ssoUrl)) return fail("The IdP's HTTP-Redirect SingleSignOnService has no valid http(s) Location.");

  const signing = signingCertificates(descriptor);
  if (!signing.ok) return signing;
  return {
    ok: true,
    entityId,
    ssoUrl,
    certificates: signing.certificates.map((certificate) => certificate.pem),
    certificateExpiresAt: earliestExpiry(signing.certificates)!,
  };
}

/** The one EntityDescriptor to read: the root, or the only IdP inside an EntitiesDescriptor. */
function identityProviderEntity(root: Element): { ok: true; element: Element } | { ok: false; message: string } {
  if (isElement(root, NS.metadata, "EntityDescriptor")) return { ok: true, element: root };
  if (isElement(root, NS.metadata, "EntitiesDescriptor")) {
    const idps = childElements(root, NS.metadata, "EntityDescriptor").filter((entity) => childElement(entity, NS.metadata, "IDPSSODescriptor"));
    if (idps.length === 1) return { ok: true, element: idps[0]! };
    return fail(
      idps.length === 0
        ? "The metadata lists no identity provider (no EntityDescriptor with an IDPSSODescriptor)."
        : `The metadata lists ${idps.length} identity providers; paste the metadata of the one to use.`,
    );
  }
  return fail("This XML is not SAML metadata: its root element should be an EntityDescriptor (namespace urn:oasis:names:tc:SAML:2.0:metadata).");
}

function signingCertificates(descriptor: Element): { ok: true; certificates: ParsedCertificate[] } | { ok: false; message: string } {
  // A KeyDescriptor without "use" serves both signing and encryption.
  const keyDescriptors = childElements(descriptor, NS.metadata, "KeyDescriptor").filter((key) => {
    const use = attribute(key, "use");
    return use === null || use === "signing";
  });
  const encoded = keyDescriptors.flatMap((key) =>
    childElements(key, NS.dsig, "KeyInfo").flatMap((info) =>
      childElements(info, NS.dsig, "X509Data").flatMap((data) => childElements(data, NS.dsig, "X509Certificate").map((cert) => cert.textContent ?? "")),
    ),
  );
  if (encoded.length === 0) return fail("The metadata has no signing certificate (no KeyDescriptor with an X509Certificate for signing), so assertions could not be verified.");
  const certificates: ParsedCertificate[] = [];
  for (const [index, value] of encoded.entries()) {
    const certificate = certificateFromBase64(value);
    if (!certificate) return fail(`Signing certificate ${index + 1} in the metadata is not a valid X.509 certificate.`);
    if (!certificates.some((known) => known.pem === certificate.pem)) certificates.push(certificate);
  }
  return { ok: true, certificates };
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === "https:" || protocol === "http:";
}
