// Creating an account. With an address that is already registered, the visitor
// sees exactly what a new signup sees, and the owner gets a heads-up email
// instead of a verification code: the form cannot be used to find out who has
// an account. Both paths hash the password, so they also take as long.
import { createHash } from "node:crypto";
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { hashPassword } from "../password";
import { consumeRateLimit } from "../rate-limit";
import { createSession, type ClientInfo } from "../session";
import { generateSecret } from "../tokens";
import { consumeInvitation, findValidInvitation } from "./signup-invitations";
import { startVerification } from "./verification";
import { userCreated } from "../events/domain-events";

// One heads-up an hour is enough to tell the owner; more would only spend the
// inbox's hourly allowance (a double-clicked form, a retrying bot) and leave no
// room for the verification code or reset link they may ask for next.
const SIGNUP_ATTEMPT_NOTICE = { limit: 1, windowSeconds: 3600 };
const signupAttemptKey = (email: string) => `email:signup-attempt:${createHash("sha256").update(email).digest("hex")}`;

// The shape of createSession's tokens ("<id>.<secret>"), with an id no session has.
const unusableSessionToken = () => `${generateSecret()}.${generateSecret()}`;

export type SignupInput = { email: string; password: string; name: string | null; invitationToken: string | null };

export type SignupResult =
  | { ok: true; kind: "check-email"; sessionToken?: string }
  | { ok: true; kind: "signed-up-verified"; userId: string }
  | { ok: false; reason: "invitation-required" | "invitation-invalid" | "invitation-other-email" | "already-registered" };

/**
 * With `client` (the signup form), a "check-email" result carries a session
 * token for the browser that signed up: a session of the new, unverified
 * account, which can do nothing but confirm the address, so that browser goes
 * on signed in once the link or code proves it. An address that already has an
 * account gets a token of the same shape that opens nothing, so the answer
 * looks the same either way (see docs/decisions/0012).
 */
export async function signUp(db: Database, input: SignupInput, mode: "open" | "invite-only", now = new Date(), client?: ClientInfo): Promise<SignupResult> {
  const invitation = input.invitationToken ? await findValidInvitation(db, input.invitationToken, now) : null;
  if (input.invitationToken && !invitation) return { ok: false, reason: "invitation-invalid" };
  if (mode === "invite-only" && !invitation) return { ok: false, reason: "invitation-required" };
  if (invitation && invitation.email !== input.email) return { ok: false, reason: "invitation-other-email" };

  const passwordHash = await hashPassword(input.password);

  return db.transaction().execute(async (tx): Promise<SignupResult> => {
    const created = await tx
      .insertInto("user")
      .values({ email: input.email, password_hash: passwordHash, name: input.name, email_verified_at: invitation ? now : null, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column("email").doNothing())
      .returning("id")
      .executeTakeFirst();

    if (created) await userCreated(tx, { id: created.id, email: input.email, name: input.name, emailVerified: invitation !== null }, now);
    if (invitation) {
      // Whoever holds the invitation controls the inbox, so telling them the
      // account exists reveals nothing they could not find out anyway.
      if (!created) return { ok: false, reason: "already-registered" };
      if (!(await consumeInvitation(tx, invitation.id, now))) throw new Error("invitation used concurrently");
      return { ok: true, kind: "signed-up-verified", userId: created.id };
    }

    let sessionToken: string | undefined;
    if (created) {
      await startVerification(tx, { id: created.id, name: input.name }, "signup", input.email, now);
      if (client) sessionToken = (await createSession(tx, created.id, client, now)).token;
    } else if ((await consumeRateLimit(tx, signupAttemptKey(input.email), SIGNUP_ATTEMPT_NOTICE, now)).allowed) {
      await queueEmail(
        tx,
        { to: input.email, template: "signup-attempt", props: { loginUrl: publicLink("/login"), resetUrl: publicLink("/forgot-password") } },
        { now },
      );
    }
    if (client && !sessionToken) sessionToken = unusableSessionToken();
    return sessionToken ? { ok: true, kind: "check-email", sessionToken } : { ok: true, kind: "check-email" };
  });
}
