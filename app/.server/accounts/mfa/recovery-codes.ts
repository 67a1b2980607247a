// Recovery codes: ten single-use codes, shown once, stored as SHA-256 hashes.
// 50 bits each is plenty: they are only tried after the right password, and
// each try counts against the account's sign-in limit.
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import type { Database } from "../../db";
import { hashToken } from "../../tokens";

export const RECOVERY_CODE_COUNT = 10;

/** "abcde-fghij": ten base32 characters, split for reading aloud and typing. */
export function generateRecoveryCode(): string {
  const text = encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(7))).slice(0, 10);
  return `${text.slice(0, 5)}-${text.slice(5)}`;
}

/** Case, spaces and dashes do not matter to a person copying a code from paper. */
export function normalizeRecoveryCode(typed: string): string {
  return typed.toLowerCase().replace(/[\s-]/g, "");
}

export const RECOVERY_CODE_PATTERN = /^[a-z2-7]{10}$/;

/** Replaces every code the user had with ten new ones, and returns them (the only time they exist in plain text). */
export async function replaceRecoveryCodes(tx: Database, userId: string, now = new Date()): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
  await tx.deleteFrom("recovery_code").where("user_id", "=", userId).execute();
  await tx
    .insertInto("recovery_code")
    .values(codes.map((code) => ({ user_id: userId, code_hash: hashToken(normalizeRecoveryCode(code)), created_at: now })))
    .execute();
  return codes;
}

/**
 * Spends one code. The update is the check: of two requests racing with the
 * same code, only one finds it unused. Returns how many are left, or null.
 */
export async function consumeRecoveryCode(db: Database, userId: string, typed: string, now = new Date()): Promise<{ remaining: number } | null> {
  const normalized = normalizeRecoveryCode(typed);
  if (!RECOVERY_CODE_PATTERN.test(normalized)) return null;
  const used = await db
    .updateTable("recovery_code")
    .set({ used_at: now })
    .where("user_id", "=", userId)
    .where("code_hash", "=", hashToken(normalized))
    .where("used_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  if (!used) return null;
  return { remaining: await countRecoveryCodes(db, userId) };
}

export async function countRecoveryCodes(db: Database, userId: string): Promise<number> {
  const row = await db.selectFrom("recovery_code").select((eb) => eb.fn.countAll<string>().as("count")).where("user_id", "=", userId).where("used_at", "is", null).executeTakeFirstOrThrow();
  return Number(row.count);
}
