// Reads a form post against a schema that lists exactly the fields the action
// accepts. Anything else — an unknown field, a repeated field, a file, a body
// that is not a form — is a clear 400, never a 500. Every field's problem comes
// back at once, each in words written for people (see docs/style.md, "Forms:
// errors and limits").
import { data } from "@remix-run/node";
import { z } from "zod";
import { checkPasswordPolicy } from "./password";

export type FieldErrors = Record<string, string>;
export type FormFailure = { ok: false; fieldErrors: FieldErrors; formError?: string; values: Record<string, string> };

export async function readForm<S extends z.ZodObject>(
  request: Request,
  schema: S,
): Promise<{ ok: true; data: z.output<S>; values: Record<string, string> } | FormFailure> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return { ok: false, fieldErrors: {}, formError: "This form could not be read. Please try again.", values: {} };
  }
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const [name, value] of form.entries()) {
    if (!(name in shape)) return { ok: false, fieldErrors: {}, formError: `Unexpected field "${name.slice(0, 40)}".`, values: {} };
    if (typeof value !== "string") return { ok: false, fieldErrors: { [name]: "Expected text, not a file." }, values: {} };
    // A field declared as an array (checkboxes) may repeat; any other may not.
    if (shape[name] instanceof z.ZodArray) {
      (lists[name] ??= []).push(value);
      continue;
    }
    if (name in values) return { ok: false, fieldErrors: { [name]: "This field was sent more than once." }, values: {} };
    values[name] = value;
  }
  // Issues whose schema wrote no message get a plain one here, never zod's own.
  const parsed = schema.safeParse({ ...values, ...lists }, { error: plainIssueMessage });
  if (parsed.success) return { ok: true, data: parsed.data, values: withoutSecrets(values) };
  const fieldErrors: FieldErrors = {};
  let formError: string | undefined;
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "");
    // Nobody can see a message under a field the page does not show.
    if (!field || isHiddenField(field)) formError ??= issue.message;
    else fieldErrors[field] ??= issue.message;
  }
  return { ok: false, fieldErrors, formError, values: withoutSecrets(values) };
}

// Fields a page sends without showing them: which button was pressed, ids,
// tokens, where to go next, and the waitlist's bot checks.
const HIDDEN_FIELD = /^(intent|token|invitation|redirectTo|returnTo|startedAt|website)$|Id$/;
const isHiddenField = (field: string) => HIDDEN_FIELD.test(field);

export const OUT_OF_DATE = "This form is out of date. Reload the page and try again.";

/** "newEmail" → "New email": how a message names a field its schema gave no words for. */
function fieldLabel(field: string): string {
  const words = field.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The message for a schema issue that carries none of its own: plain, specific
 * and naming the field, for a person to act on. (zod's defaults, such as
 * "Too big: expected string to have <=800 characters", are for developers.)
 */
export function plainIssueMessage(issue: z.core.$ZodRawIssue): string {
  const field = String(issue.path?.[0] ?? "");
  if (!field || isHiddenField(field)) return OUT_OF_DATE;
  const label = fieldLabel(field);
  const missing = issue.input === undefined || issue.input === null;
  switch (issue.code) {
    case "invalid_type":
      return missing ? `${label} is required.` : `${label} must be text.`;
    case "too_small":
      if (issue.origin === "string") return Number(issue.minimum) <= 1 ? `${label} is required.` : `${label} must be at least ${issue.minimum} characters.`;
      if (issue.origin === "array") return `Choose at least ${issue.minimum} for ${label.toLowerCase()}.`;
      return `${label} must be at least ${issue.minimum}.`;
    case "too_big":
      if (issue.origin === "string") return `${label} must be at most ${issue.maximum} characters.`;
      if (issue.origin === "array") return `Choose at most ${issue.maximum} for ${label.toLowerCase()}.`;
      return `${label} must be at most ${issue.maximum}.`;
    case "invalid_value":
      return `Choose one of the options for ${label.toLowerCase()}.`;
    default:
      return `${label} is not valid.`;
  }
}

/**
 * A new password: the policy rules that need no other field (length, the
 * common-password list) run in the schema, so their message comes with every
 * other field's. The rules that compare with the email or name run after.
 */
export function newPassword(requiredMessage: string) {
  return z.string({ error: requiredMessage }).superRefine((password, ctx) => {
    const problem = checkPasswordPolicy(password, {});
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

// What goes back to the page to refill the form: never a password or a code.
function withoutSecrets(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([name]) => !/password|code|token/i.test(name)));
}

/** The action's answer for a failed form: 400 (unless told) with what the user typed. */
export function formFailure(failure: { fieldErrors?: FieldErrors; formError?: string; values?: Record<string, string> }, init: number | ResponseInit = 400) {
  const body: FormFailure = { ok: false, fieldErrors: failure.fieldErrors ?? {}, formError: failure.formError, values: failure.values ?? {} };
  return data(body, typeof init === "number" ? { status: init } : init);
}

function singleLine(label: string, max: number) {
  return (
    z
      .string({ error: `${label} is required.` })
      .transform((value) => value.trim())
      // One-line fields: a control character (CR/LF above all) has no business here.
      // eslint-disable-next-line no-control-regex
      .refine((value) => !/[\u0000-\u001f\u007f]/.test(value), `${label} contains characters that are not allowed.`)
      .refine((value) => [...value].length <= max, `${label} must be at most ${max} characters.`)
  );
}

/** A required one-line text field: trimmed, with clear messages. */
export function text(label: string, options: { max: number }) {
  return singleLine(label, options.max).refine((value) => value.length > 0, `${label} is required.`);
}

/** An optional one-line text field; empty becomes null. */
export function optionalText(label: string, options: { max: number }) {
  return singleLine(label, options.max)
    .optional()
    .transform((value) => (value ? value : null));
}
