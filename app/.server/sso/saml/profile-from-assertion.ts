// Who the assertion says signed in: the subject (NameID), the email (NameID in
// emailAddress format or a mail/email attribute, as IdPs differ), a display
// name, and whether the IdP asserts a multi-factor sign-in.
import { z } from "zod";
import type { SsoProfile } from "../profile";
import type { AssertionFacts } from "./assertion";
import { NAMEID_EMAIL } from "./service-provider";

const TRANSIENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";

// Attribute names for the email, by how common they are: plain (Google,
// Keycloak, JumpCloud), the LDAP OID, and the claim URI Entra ID and AD FS send.
const EMAIL_ATTRIBUTES = [
  "email",
  "mail",
  "emailaddress",
  "emailAddress",
  "urn:oid:0.9.2342.19200300.100.1.3",
  "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
  "http://schemas.microsoft.com/identity/claims/emailaddress",
];
const NAME_ATTRIBUTES = ["displayName", "name", "cn", "urn:oid:2.16.840.1.113730.3.1.241", "http://schemas.microsoft.com/identity/claims/displayname", "urn:oid:2.5.4.3"];
const GIVEN_NAME_ATTRIBUTES = ["givenName", "firstName", "urn:oid:2.5.4.42", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname"];
const SURNAME_ATTRIBUTES = ["sn", "surname", "lastName", "urn:oid:2.5.4.4", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname"];

/**
 * AuthnContextClassRef values (or Entra ID's authnmethodsreferences values)
 * that mean the person passed more than one factor.
 */
export const MFA_CONTEXTS = new Set([
  "https://refeds.org/profile/mfa",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:MultiFactor",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorUnregistered",
  "urn:oasis:names:tc:SAML:2.0:ac:classes:TimeSyncToken",
  "http://schemas.microsoft.com/claims/multipleauthn",
]);
const ENTRA_AUTHN_METHODS = "http://schemas.microsoft.com/claims/authnmethodsreferences";

const isEmail = (value: string) => z.email().safeParse(value).success;

function firstAttribute(facts: AssertionFacts, names: string[]): string | null {
  for (const name of names) {
    const value = facts.attributes[name]?.find((entry) => entry.trim());
    if (value) return value.trim();
  }
  return null;
}

export type ProfileOutcome = { ok: true; profile: SsoProfile; emailSource: string } | { ok: false; reason: "no-subject" | "no-email"; message: string };

export function profileFromAssertion(facts: AssertionFacts): ProfileOutcome {
  const nameIdIsEmail = facts.nameIdFormat === NAMEID_EMAIL && !!facts.nameId && isEmail(facts.nameId);
  const fromAttribute = firstAttribute(facts, EMAIL_ATTRIBUTES);
  const email = nameIdIsEmail ? facts.nameId : fromAttribute && isEmail(fromAttribute) ? fromAttribute : facts.nameId && isEmail(facts.nameId) ? facts.nameId : null;
  const emailSource = nameIdIsEmail ? "NameID (emailAddress format)" : email === fromAttribute ? "an email attribute" : "NameID";
  if (!email) {
    return {
      ok: false,
      reason: "no-email",
      message: "The assertion carries no email address: send the NameID in emailAddress format, or an attribute named “email” or “mail”.",
    };
  }
  // A transient NameID changes at every sign-in, so it cannot identify the
  // person; the address is the stable identifier then.
  const subject = facts.nameId && facts.nameIdFormat !== TRANSIENT ? facts.nameId : email.toLowerCase();
  if (!subject) return { ok: false, reason: "no-subject", message: "The assertion has no NameID, so the person cannot be identified." };

  const given = firstAttribute(facts, GIVEN_NAME_ATTRIBUTES);
  const surname = firstAttribute(facts, SURNAME_ATTRIBUTES);
  const name = firstAttribute(facts, NAME_ATTRIBUTES) ?? ([given, surname].filter(Boolean).join(" ") || null);
  const methods = [...facts.authnContextClassRefs, ...(facts.attributes[ENTRA_AUTHN_METHODS] ?? [])];

  return {
    ok: true,
    emailSource,
    profile: {
      subject,
      email: email.toLowerCase(),
      // The IdP vouches for the addresses it asserts; that counts only on a
      // verified domain, which the sign-in code decides (profile.ts).
      emailVerifiedByIdp: true,
      name,
      mfaAsserted: methods.some((method) => MFA_CONTEXTS.has(method)),
      claims: {
        issuer: facts.issuer,
        nameId: facts.nameId,
        nameIdFormat: facts.nameIdFormat,
        sessionIndex: facts.sessionIndex,
        authnContextClassRef: facts.authnContextClassRefs,
        attributes: facts.attributes,
      },
    },
  };
}
