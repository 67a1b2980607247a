// The shapes of the codes people type, for every form that takes one (zod,
// validated on the server). Spaces are forgiven, as apps show "123 456".
import { z } from "zod";
import { normalizeRecoveryCode, RECOVERY_CODE_PATTERN } from "./recovery-codes";

export const TotpCodeSchema = z
  .string({ error: "Enter the 6-digit code from your authenticator app." })
  .max(64, "Enter the 6-digit code from your authenticator app.")
  .transform((value) => value.replace(/\s/g, ""))
  .refine((value) => /^\d{6}$/.test(value), "Enter the 6-digit code from your authenticator app (6 digits, nothing else).");

export const RecoveryCodeSchema = z
  .string({ error: "Enter one of your recovery codes." })
  .max(64, "Enter one of your recovery codes, like abcde-fghij.")
  .refine((value) => RECOVERY_CODE_PATTERN.test(normalizeRecoveryCode(value)), "Enter one of your recovery codes, like abcde-fghij.");

export const CredentialSchema = z.string({ error: "No passkey answer was sent." }).min(2, "No passkey answer was sent.").max(16_384, "That passkey answer is too large.");
