// Passkeys (WebAuthn) through @simplewebauthn/server. The relying party is
// PUBLIC_URL: its host is the RP ID, its origin the only accepted origin.
// Challenges are single-use rows found by their hash: the browser's signed
// clientDataJSON brings the challenge back, so nothing else has to carry it.
import { sql } from "kysely";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { z } from "zod";
import type { Database } from "../../db";
import { hashToken } from "../../tokens";
import { deleteInBatches } from "../../jobs/batched-delete";

export const CHALLENGE_TTL_MS = 5 * 60 * 1000;
export const PASSKEY_NAME_MAX = 60;

export type RelyingParty = { id: string; name: string; origin: string };

const base64url = z.string().max(8192).regex(/^[A-Za-z0-9_-]*$/);
const CredentialSchema = z.object({
  id: base64url.min(1),
  rawId: base64url.min(1),
  type: z.literal("public-key"),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  authenticatorAttachment: z.enum(["platform", "cross-platform"]).optional(),
});
const RegistrationSchema = CredentialSchema.extend({
  response: z.object({ clientDataJSON: base64url, attestationObject: base64url, transports: z.array(z.string().max(20)).max(10).optional() }).loose(),
});
const AuthenticationSchema = CredentialSchema.extend({
  response: z.object({ clientDataJSON: base64url, authenticatorData: base64url, signature: base64url, userHandle: base64url.optional() }).loose(),
});

/** The JSON a browser posted, or null when it is not a WebAuthn credential at all. */
function parseCredential<S extends z.ZodType>(schema: S, text: string): z.output<S> | null {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The challenge the browser signed, read from clientDataJSON (verification proves it was not altered). */
function signedChallenge(clientDataJSON: string): string | null {
  try {
    const data = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8")) as { challenge?: unknown };
    return typeof data.challenge === "string" && data.challenge.length <= 256 ? data.challenge : null;
  } catch {
    return null;
  }
}

async function storeChallenge(db: Database, challenge: string, purpose: "register" | "authenticate", userId: string | null, now: Date) {
  await db.insertInto("webauthn_challenge").values({ challenge_hash: hashToken(challenge), purpose, user_id: userId, expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS) }).execute();
}

/** Spends a challenge: of two responses to one challenge, one gets it. */
async function takeChallenge(db: Database, challenge: string, purpose: "register" | "authenticate", now: Date) {
  return db
    .deleteFrom("webauthn_challenge")
    .where("challenge_hash", "=", hashToken(challenge))
    .where("purpose", "=", purpose)
    .where("expires_at", ">", now)
    .returning("user_id")
    .executeTakeFirst();
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ""), "hex");
const uuidFromBytes = (handle: string) => {
  const hex = Buffer.from(handle, "base64url").toString("hex");
  return hex.length === 32 ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : null;
};
const transportsOf = (text: string) => (text ? (text.split(",") as AuthenticatorTransport[]) : undefined);

export async function startPasskeyRegistration(db: Database, rp: RelyingParty, user: { id: string; email: string; name: string | null }, now = new Date()) {
  const existing = await db.selectFrom("passkey").select(["credential_id", "transports"]).where("user_id", "=", user.id).execute();
  const options = await generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name ?? user.email,
    // The user handle is the account id: a discoverable passkey names its account when signing in.
    userID: uuidBytes(user.id),
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: transportsOf(p.transports) })),
    authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
    timeout: CHALLENGE_TTL_MS,
  });
  await storeChallenge(db, options.challenge, "register", user.id, now);
  return options;
}

export type RegisterPasskeyResult = { ok: true; passkeyId: string } | { ok: false; reason: "invalid" | "expired" | "already-registered" };

export async function finishPasskeyRegistration(db: Database, rp: RelyingParty, input: { userId: string; name: string; credential: string }, now = new Date()): Promise<RegisterPasskeyResult> {
  const response = parseCredential(RegistrationSchema, input.credential);
  const challenge = response && signedChallenge(response.response.clientDataJSON);
  if (!response || !challenge) return { ok: false, reason: "invalid" };
  const stored = await takeChallenge(db, challenge, "register", now);
  // A challenge issued to another account is as good as none.
  if (!stored || stored.user_id !== input.userId) return { ok: false, reason: "expired" };
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (!verification.verified) return { ok: false, reason: "invalid" };
  const { credential, credentialBackedUp } = verification.registrationInfo;
  try {
    const row = await db
      .insertInto("passkey")
      .values({
        user_id: input.userId,
        credential_id: credential.id,
        public_key: credential.publicKey,
        counter: credential.counter,
        transports: (credential.transports ?? []).join(","),
        backed_up: credentialBackedUp,
        name: input.name,
        created_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { ok: true, passkeyId: row.id };
  } catch (error) {
    if ((error as { code?: string }).code === "23505") return { ok: false, reason: "already-registered" };
    throw error;
  }
}

/**
 * Options for signing in (userId null: any discoverable passkey, the browser
 * lets the person pick) or for proving it is the signed-in account (its passkeys only).
 */
export async function startPasskeyAuthentication(db: Database, rp: RelyingParty, userId: string | null, now = new Date()) {
  const allowed = userId ? await db.selectFrom("passkey").select(["credential_id", "transports"]).where("user_id", "=", userId).execute() : [];
  const options = await generateAuthenticationOptions({
    rpID: rp.id,
    allowCredentials: allowed.map((p) => ({ id: p.credential_id, transports: transportsOf(p.transports) })),
    userVerification: "preferred",
    timeout: CHALLENGE_TTL_MS,
  });
  await storeChallenge(db, options.challenge, "authenticate", userId, now);
  return options;
}

export type PasskeyAuthResult = { ok: true; userId: string; passkeyName: string } | { ok: false; reason: "invalid" | "expired" | "unknown-passkey" | "wrong-account" };

/**
 * Verifies a signed challenge. `expectedUserId` (second factor, step-up) makes
 * a passkey of any other account fail. A cloned authenticator (its signature
 * counter going backwards) is refused by the library.
 */
export async function verifyPasskeyAuthentication(db: Database, rp: RelyingParty, input: { credential: string; expectedUserId: string | null }, now = new Date()): Promise<PasskeyAuthResult> {
  const response = parseCredential(AuthenticationSchema, input.credential);
  const challenge = response && signedChallenge(response.response.clientDataJSON);
  if (!response || !challenge) return { ok: false, reason: "invalid" };
  const stored = await takeChallenge(db, challenge, "authenticate", now);
  if (!stored) return { ok: false, reason: "expired" };
  const passkey = await db
    .selectFrom("passkey")
    .select(["id", "user_id", "credential_id", "public_key", "counter", "transports", "name"])
    .where("credential_id", "=", response.id)
    .executeTakeFirst();
  if (!passkey) return { ok: false, reason: "unknown-passkey" };
  const handleOwner = response.response.userHandle ? uuidFromBytes(response.response.userHandle) : passkey.user_id;
  if ((input.expectedUserId && passkey.user_id !== input.expectedUserId) || (stored.user_id && stored.user_id !== passkey.user_id) || handleOwner !== passkey.user_id) {
    return { ok: false, reason: "wrong-account" };
  }
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: { id: passkey.credential_id, publicKey: new Uint8Array(passkey.public_key), counter: Number(passkey.counter), transports: transportsOf(passkey.transports) },
      requireUserVerification: false,
    });
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (!verification.verified) return { ok: false, reason: "invalid" };
  await db
    .updateTable("passkey")
    .set({ counter: verification.authenticationInfo.newCounter, backed_up: verification.authenticationInfo.credentialBackedUp, last_used_at: now })
    .where("id", "=", passkey.id)
    .execute();
  return { ok: true, userId: passkey.user_id, passkeyName: passkey.name };
}

export async function listPasskeys(db: Database, userId: string) {
  return db.selectFrom("passkey").select(["id", "name", "created_at", "last_used_at", "backed_up"]).where("user_id", "=", userId).orderBy("created_at").execute();
}

export async function renamePasskey(db: Database, userId: string, passkeyId: string, name: string): Promise<boolean> {
  const result = await db.updateTable("passkey").set({ name }).where("id", "=", passkeyId).where("user_id", "=", userId).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteExpiredChallenges(db: Database, now = new Date()): Promise<number> {
  return deleteInBatches(db, "webauthn_challenge", sql`expires_at <= ${now}`);
}
