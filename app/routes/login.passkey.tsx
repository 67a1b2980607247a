// POST /login/passkey: "Sign in with a passkey" on /login posts the signed
// challenge here. No email, no password: the passkey names its account.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { CredentialSchema } from "~/.server/accounts/mfa/code-schemas";
import { signedInDestination } from "~/.server/accounts/mfa/destination";
import { relyingParty } from "~/.server/accounts/mfa/relying-party";
import { signInWithPasskey } from "~/.server/accounts/mfa/sign-in";
import { getDb } from "~/.server/db";
import { formFailure, readForm } from "~/.server/forms";
import { sessionCookie } from "~/.server/session-cookie";

const PasskeySignInSchema = z.object({
  credential: CredentialSchema,
  redirectTo: z.string().max(2000).optional(),
});

const FAILURES = {
  "invalid-passkey": "That passkey answer could not be verified. Try again.",
  "unknown-passkey": "That passkey is not registered here. It may have been removed: log in with your password.",
  expired: "The passkey request expired. Try again.",
} as const;

export function loader() {
  return redirect("/login");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request, PasskeySignInSchema);
  if (!form.ok) return formFailure(form);
  const result = await signInWithPasskey(getDb(), form.data.credential, { client: { ip: context.clientIp, userAgent: request.headers.get("user-agent") }, rp: relyingParty() });
  if (!result.ok) return formFailure({ formError: FAILURES[result.reason] }, result.reason === "invalid-passkey" ? 400 : 401);
  throw redirect(signedInDestination(result, form.data.redirectTo), { headers: { "Set-Cookie": sessionCookie(result.token) } });
}
