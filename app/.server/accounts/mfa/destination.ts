import { safeRedirect } from "../../../utils/safe-redirect";

/** Where a finished sign-in goes: the grace-period page, verification, or where the person was headed. */
export function signedInDestination(result: { emailVerified: boolean; deletionPending: boolean; policyNext?: string | null }, redirectTo: string | null | undefined): string {
  if (result.deletionPending) return "/settings/delete-account";
  if (!result.emailVerified) return "/verify-email";
  // An org's rule the person must meet first (e.g. turn on two-factor), before anything else.
  return result.policyNext ?? safeRedirect(redirectTo, "/home");
}

/** /login/2fa, carrying on where the person was headed. */
export function secondFactorPath(redirectTo: string | null | undefined): string {
  const target = safeRedirect(redirectTo, "");
  return target ? `/login/2fa?redirectTo=${encodeURIComponent(target)}` : "/login/2fa";
}
