// Reading a signed assertion (only ever the XML the signature covers, as
// node-saml hands it back) into the facts the checks and the profile need.
import { attribute, childElement, childElements, NS, parseXml, pathElement, textOf } from "./xml";

const BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

export type SubjectConfirmation = { recipient: string | null; notOnOrAfter: string | null; notBefore: string | null; inResponseTo: string | null };

export type AssertionFacts = {
  id: string | null;
  issuer: string | null;
  nameId: string | null;
  nameIdFormat: string | null;
  audiences: string[];
  notBefore: string | null;
  notOnOrAfter: string | null;
  bearerConfirmations: SubjectConfirmation[];
  authnContextClassRefs: string[];
  sessionIndex: string | null;
  attributes: Record<string, string[]>;
};

export function readAssertion(xml: string): AssertionFacts | null {
  const parsed = parseXml(xml);
  if (!parsed.ok) return null;
  const assertion = parsed.document.documentElement;
  if (assertion.namespaceURI !== NS.assertion || assertion.localName !== "Assertion") return null;

  const nameIdElement = pathElement(assertion, NS.assertion, ["Subject", "NameID"]);
  const subject = childElement(assertion, NS.assertion, "Subject");
  const conditions = childElements(assertion, NS.assertion, "Conditions");
  const condition = conditions[0] ?? null;

  const bearerConfirmations = (subject ? childElements(subject, NS.assertion, "SubjectConfirmation") : [])
    .filter((confirmation) => attribute(confirmation, "Method") === BEARER)
    .map((confirmation) => {
      const data = childElement(confirmation, NS.assertion, "SubjectConfirmationData");
      return {
        recipient: attribute(data, "Recipient"),
        notOnOrAfter: attribute(data, "NotOnOrAfter"),
        notBefore: attribute(data, "NotBefore"),
        inResponseTo: attribute(data, "InResponseTo"),
      };
    });

  const audiences = (condition ? childElements(condition, NS.assertion, "AudienceRestriction") : []).flatMap((restriction) =>
    childElements(restriction, NS.assertion, "Audience").map((audience) => textOf(audience) ?? ""),
  );

  const authnStatements = childElements(assertion, NS.assertion, "AuthnStatement");
  const authnContextClassRefs = authnStatements
    .map((statement) => textOf(pathElement(statement, NS.assertion, ["AuthnContext", "AuthnContextClassRef"])))
    .filter((value): value is string => value !== null);

  const attributes: Record<string, string[]> = {};
  for (const statement of childElements(assertion, NS.assertion, "AttributeStatement")) {
    for (const element of childElements(statement, NS.assertion, "Attribute")) {
      const name = attribute(element, "Name");
      if (!name) continue;
      const values = childElements(element, NS.assertion, "AttributeValue").map((value) => value.textContent?.trim() ?? "");
      attributes[name] = [...(attributes[name] ?? []), ...values.filter(Boolean)];
    }
  }

  return {
    id: attribute(assertion, "ID"),
    issuer: textOf(childElement(assertion, NS.assertion, "Issuer")),
    nameId: textOf(nameIdElement),
    nameIdFormat: attribute(nameIdElement, "Format"),
    audiences,
    // More than one Conditions element is invalid; reading only the first is
    // safe because node-saml refuses such an assertion before we get here.
    notBefore: attribute(condition, "NotBefore"),
    notOnOrAfter: attribute(condition, "NotOnOrAfter"),
    bearerConfirmations,
    authnContextClassRefs,
    sessionIndex: attribute(authnStatements[0] ?? null, "SessionIndex"),
    attributes,
  };
}
