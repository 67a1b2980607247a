// What a verified SSO sign-in yields, whichever protocol carried it: the OIDC
// callback (sso/oidc/) and the SAML assertion consumer (sso/saml/) both reduce
// the IdP's answer to this before anything signs a person in.

export interface SsoProfile {
  /** The IdP's stable id for the person (OIDC `sub`, SAML NameID). */
  subject: string;
  /** Lower-cased email address as the IdP asserts it. */
  email: string;
  /** Whether the IdP says it verified the address (it only counts on a verified domain). */
  emailVerifiedByIdp: boolean;
  name: string | null;
  /** The IdP asserted a multi-factor sign-in (OIDC `amr` contains "mfa"/"otp"/"hwk"…, SAML AuthnContextClassRef). */
  mfaAsserted: boolean;
  /** Everything else that came back, for the Test connection page only (never stored). */
  claims: Record<string, unknown>;
}

/** One check a protocol ran on the IdP's answer, shown by "Test connection". */
export interface SsoCheck {
  name: string; // e.g. "Signature", "Audience", "Not expired", "Nonce"
  passed: boolean;
  detail?: string;
}
