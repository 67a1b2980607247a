// What each scope lets an app see, in the words the consent and device pages use.
const SCOPE_WORDS: Record<string, string> = {
  openid: "Know who you are (your account id)",
  email: "See your email address",
  profile: "See your name",
  orgs: "See your organizations, your role in each, and their plans",
  offline_access: "Stay signed in until you revoke it (Settings → Apps and devices)",
};

export function describeScopes(scopes: Iterable<string>): string[] {
  return [...new Set(scopes)].filter((scope) => scope in SCOPE_WORDS).map((scope) => SCOPE_WORDS[scope]!);
}
