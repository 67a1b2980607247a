// Destructive actions run only with the confirmation field that the
// ConfirmAction component sends (app/components/confirm-action.tsx). A bare POST
// — a forged link, a script, a form submitted by mistake — fails validation
// and changes nothing. Irreversible actions also need the target's name typed.
import { z } from "zod";

export const CONFIRM_FIELD = "confirm";
export const CONFIRM_TEXT_FIELD = "confirmText";

export const CONFIRM_FIRST = "Please confirm this action first. Nothing was changed.";

/** Schema entry for the hidden "yes, I confirmed" field. */
export const confirmedField = z.literal("yes", { error: CONFIRM_FIRST });

/** Schema entry for a typed-name confirmation; compare it with typedNameMatches. */
export const confirmTextField = z.string({ error: "Type the name to confirm. Nothing was changed." }).max(300, "Type the name to confirm. Nothing was changed.");

/** Whether what was typed names the target: surrounding spaces do not matter, case does. */
export function typedNameMatches(typed: string, expected: string): boolean {
  return typed.trim() === expected.trim();
}

export const TYPED_NAME_MISMATCH = "The name you typed does not match. Nothing was changed.";
