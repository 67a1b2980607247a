// Adding a passkey from Settings → Security: verify the registration, and if
// it is the account's first factor, turn two-factor on (recovery codes, email).
import type { Database } from "../../db";
import { notifyTwoFactorChange } from "./notify";
import { finishPasskeyRegistration, type RelyingParty } from "./passkeys";
import { countRecoveryCodes, replaceRecoveryCodes } from "./recovery-codes";

export type AddPasskeyResult = { ok: true; recoveryCodes: string[] | null } | { ok: false; reason: "invalid" | "expired" | "already-registered" };

export async function addPasskey(db: Database, rp: RelyingParty, input: { userId: string; name: string; credential: string }, now = new Date()): Promise<AddPasskeyResult> {
  return db.transaction().execute(async (tx): Promise<AddPasskeyResult> => {
    const turningOn =
      !(await tx.selectFrom("totp_factor").select("user_id").where("user_id", "=", input.userId).where("confirmed_at", "is not", null).executeTakeFirst()) &&
      !(await tx.selectFrom("passkey").select("id").where("user_id", "=", input.userId).executeTakeFirst());
    const registered = await finishPasskeyRegistration(tx, rp, input, now);
    if (!registered.ok) return registered;
    const recoveryCodes = turningOn || (await countRecoveryCodes(tx, input.userId)) === 0 ? await replaceRecoveryCodes(tx, input.userId, now) : null;
    await notifyTwoFactorChange(tx, input.userId, turningOn ? "turned-on" : "passkey-added", input.name, now);
    return { ok: true, recoveryCodes };
  });
}
