import { safeRedirect } from "../../../utils/safe-redirect";

/** Where a finished sign-in goes: the grace-period page, verification, or where the person was headed. */
export function signedInDestination(result: { emailVerified: boolean; deletionPending: boolean }, redirectTo: string | null | undefined): string {
  if (result.deletionPending) return "/settings/delete-account";
  return result.emailVerified ? safeRedirect(redirectTo, "/home") : "/verify-email";
}

/** /login/2fa, carrying on where the person was headed. */
export function secondFactorPath(redirectTo: string | null | undefined): string {
  const target = safeRedirect(redirectTo, "");
  return target ? `/login/2fa?redirectTo=${encodeURIComponent(target)}` : "/login/2fa";
}
