// The authenticator app of one account: enrol (a pending secret, confirmed by a
// first code), verify, remove. The seed is encrypted at rest, bound to its user.
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import type { Database } from "../../db";
import { decryptSecret, encryptSecret, needsReencryption } from "../../secrets";
import { notifyTwoFactorChange } from "./notify";
import { countRecoveryCodes, replaceRecoveryCodes } from "./recovery-codes";
import { formatTotpKey, generateTotpKey, matchTotpStep, totpKeyUri, totpQrSvg } from "./totp";

const sealContext = (userId: string) => `totp:${userId}`;
const seal = (userId: string, key: Uint8Array) => encryptSecret(encodeBase32UpperCaseNoPadding(key), sealContext(userId));
const open = (userId: string, ciphertext: string) => decodeBase32IgnorePadding(decryptSecret(ciphertext, sealContext(userId)));

export type TotpEnrolment = { formattedKey: string; uri: string; qrSvg: string };

function describeEnrolment(key: Uint8Array, issuer: string, email: string): TotpEnrolment {
  const uri = totpKeyUri(issuer, email, key);
  return { formattedKey: formatTotpKey(key), uri, qrSvg: totpQrSvg(uri) };
}

/** A new pending secret (replacing any earlier unconfirmed one). Refused while an app is already on. */
export async function startTotpEnrolment(db: Database, user: { id: string; email: string }, issuer: string, now = new Date()): Promise<{ ok: true; enrolment: TotpEnrolment } | { ok: false; reason: "already-on" }> {
  const key = generateTotpKey();
  const row = await db
    .insertInto("totp_factor")
    .values({ user_id: user.id, secret_ciphertext: seal(user.id, key), created_at: now })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ secret_ciphertext: seal(user.id, key), created_at: now }).where("totp_factor.confirmed_at", "is", null))
    .returning("user_id")
    .executeTakeFirst();
  if (!row) return { ok: false, reason: "already-on" };
  return { ok: true, enrolment: describeEnrolment(key, issuer, user.email) };
}

/** The enrolment in progress, to show again (the page reloaded, a code was wrong), or null. */
export async function readTotpEnrolment(db: Database, user: { id: string; email: string }, issuer: string): Promise<TotpEnrolment | null> {
  const row = await db.selectFrom("totp_factor").select("secret_ciphertext").where("user_id", "=", user.id).where("confirmed_at", "is", null).executeTakeFirst();
  return row ? describeEnrolment(open(user.id, row.secret_ciphertext), issuer, user.email) : null;
}

export async function cancelTotpEnrolment(db: Database, userId: string): Promise<void> {
  await db.deleteFrom("totp_factor").where("user_id", "=", userId).where("confirmed_at", "is", null).execute();
}

export type ConfirmTotpResult = { ok: true; recoveryCodes: string[] | null } | { ok: false; reason: "no-enrolment" | "wrong-code" };

/**
 * The first code proves the app holds the secret. When this turns two-factor
 * on (no recovery codes yet), the ten recovery codes are made and returned.
 */
export async function confirmTotpEnrolment(db: Database, userId: string, code: string, now = new Date()): Promise<ConfirmTotpResult> {
  return db.transaction().execute(async (tx): Promise<ConfirmTotpResult> => {
    const row = await tx.selectFrom("totp_factor").select("secret_ciphertext").where("user_id", "=", userId).where("confirmed_at", "is", null).forUpdate().executeTakeFirst();
    if (!row) return { ok: false, reason: "no-enrolment" };
    const step = matchTotpStep(open(userId, row.secret_ciphertext), code, now, null);
    if (step === null) return { ok: false, reason: "wrong-code" };
    await tx.updateTable("totp_factor").set({ confirmed_at: now, last_used_step: step.toString() }).where("user_id", "=", userId).execute();
    const turningOn = (await countRecoveryCodes(tx, userId)) === 0 && !(await tx.selectFrom("passkey").select("id").where("user_id", "=", userId).executeTakeFirst());
    const recoveryCodes = turningOn ? await replaceRecoveryCodes(tx, userId, now) : null;
    await notifyTwoFactorChange(tx, userId, turningOn ? "turned-on" : "totp-added", "authenticator app", now);
    return { ok: true, recoveryCodes };
  });
}

/**
 * Checks a code against the confirmed app and spends its step. The update only
 * matches while the stored step is older, so the same code sent twice at once
 * signs in once.
 */
export async function verifyTotp(db: Database, userId: string, code: string, now = new Date()): Promise<boolean> {
  const row = await db.selectFrom("totp_factor").select(["secret_ciphertext", "last_used_step"]).where("user_id", "=", userId).where("confirmed_at", "is not", null).executeTakeFirst();
  if (!row) return false;
  const lastUsed = row.last_used_step === null ? null : BigInt(row.last_used_step);
  const key = open(userId, row.secret_ciphertext);
  const step = matchTotpStep(key, code, now, lastUsed);
  if (step === null) return false;
  const spent = await db
    .updateTable("totp_factor")
    // After a key rotation, each seed moves to the current key the next time it is used.
    .set(needsReencryption(row.secret_ciphertext) ? { last_used_step: step.toString(), secret_ciphertext: seal(userId, key) } : { last_used_step: step.toString() })
    .where("user_id", "=", userId)
    .where((eb) => eb.or([eb("last_used_step", "is", null), eb("last_used_step", "<", step.toString())]))
    .executeTakeFirst();
  return spent.numUpdatedRows > 0n;
}
