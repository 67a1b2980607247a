// The waitlist form's fields, shared by the server (always) and the browser.
import { z } from "zod";
import { EmailSchema } from "./email-address";

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const optionalText = (label: string, max: number) => {
  const tooLong = `${label} must be at most ${max} characters.`;
  return z
    .string()
    .max(max * 4, tooLong) // cheap bound before the real (code point) check, with the same message
    .transform((value) => value.trim().normalize("NFC"))
    .refine((value) => !CONTROL.test(value), `${label} contains characters that are not allowed.`)
    .refine((value) => [...value].length <= max, tooLong)
    .optional()
    .transform((value) => value || null);
};

export const WaitlistSchema = z.object({
  email: EmailSchema,
  name: optionalText("Name", 100),
  company: optionalText("Company", 200),
  // Anti-bot: a field people never see, and when the form was rendered.
  website: z.string().max(500).optional(),
  startedAt: z.string().max(200).optional(),
});
