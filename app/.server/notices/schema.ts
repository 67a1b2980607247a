// The operator's publish form. The body is the one multi-line field in the
// product, so it gets its own rule: line breaks yes, other control characters no.
import { z } from "zod";
import { text } from "../forms";
import { NOTICE_BODY_MAX, NOTICE_LINK_MAX, NOTICE_TITLE_MAX } from "../../utils/notice-limits";
import { safeRedirect } from "../../utils/safe-redirect";

// Everything below U+0020 except LF (CRLF is folded to LF first), DEL, and the C1 range.
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

export function multilineText(label: string, options: { max: number }) {
  return z
    .string({ error: `${label} is required.` })
    .max(options.max * 4, `${label} must be at most ${options.max} characters.`) // cheap bound before the code point count
    .transform((value) => value.replace(/\r\n?/g, "\n").trim())
    .refine((value) => !CONTROL_EXCEPT_LF.test(value), `${label} contains characters that are not allowed.`)
    .refine((value) => [...value].length <= options.max, `${label} must be at most ${options.max} characters.`)
    .refine((value) => value.length > 0, `${label} is required.`);
}

/**
 * A page of this portal, given as a path ("/privacy", "/settings/export#x").
 * Emails may only link inside PUBLIC_URL, so anything that could leave it — a
 * full URL, "//host", "/\host", dot segments that resolve elsewhere — is refused
 * rather than rewritten.
 */
export const PortalPathSchema = z
  .string()
  .max(NOTICE_LINK_MAX * 4, `Link must be at most ${NOTICE_LINK_MAX} characters.`) // cheap bound before the trim, with the same message
  .optional()
  .transform((value) => value?.trim() || null)
  .refine((value) => value === null || value.length <= NOTICE_LINK_MAX, `Link must be at most ${NOTICE_LINK_MAX} characters.`)
  .refine((value) => value === null || safeRedirect(value, "") === value, "Link must be a page of this portal, starting with / (like /privacy).");

export const NoticeSchema = z.object({
  title: text("Title", { max: NOTICE_TITLE_MAX }),
  body: multilineText("Body", { max: NOTICE_BODY_MAX }),
  link: PortalPathSchema,
});

export type NoticeInput = z.output<typeof NoticeSchema>;
