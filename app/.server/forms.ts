// Reads a form post against a schema that lists exactly the fields the action
// accepts. Anything else — an unknown field, a repeated field, a file, a body
// that is not a form — is a clear 400, never a 500.
import { data } from "@remix-run/node";
import { z } from "zod";

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
  const parsed = schema.safeParse({ ...values, ...lists });
  if (parsed.success) return { ok: true, data: parsed.data, values: withoutSecrets(values) };
  const fieldErrors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "form");
    fieldErrors[field] ??= issue.message;
  }
  return { ok: false, fieldErrors, values: withoutSecrets(values) };
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
