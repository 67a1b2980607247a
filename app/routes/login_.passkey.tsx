// POST /login/passkey: "Sign in with a passkey" on /login posts the signed
// challenge here. No email, no password: the passkey names its account.
import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { CredentialSchema } from "~/.server/accounts/mfa/code-schemas";
import { signedInDestination } from "~/.server/accounts/mfa/destination";
import { relyingParty } from "~/.server/accounts/mfa/relying-party";
import { signInWithPasskey } from "~/.server/accounts/mfa/sign-in";
import { getDb } from "~/.server/db";
import { readForm } from "~/.server/forms";
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
  // A resource route: its answers are JSON, read by the passkey button's fetcher.
  if (!form.ok) return Response.json({ ok: false, formError: form.formError ?? Object.values(form.fieldErrors)[0] ?? "Bad request." }, { status: 400 });
  const result = await signInWithPasskey(getDb(), form.data.credential, { client: { ip: context.clientIp, userAgent: request.headers.get("user-agent") }, rp: relyingParty() });
  if (!result.ok && result.reason === "policy") return Response.json({ ok: false, formError: result.message }, { status: 403 });
  if (!result.ok) return Response.json({ ok: false, formError: FAILURES[result.reason] }, { status: result.reason === "invalid-passkey" ? 400 : 401 });
  throw redirect(signedInDestination(result, form.data.redirectTo), { headers: { "Set-Cookie": sessionCookie(result.token) } });
}
