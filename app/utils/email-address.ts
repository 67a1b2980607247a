// One canonical form per email address, so "Ada@Example.com", a full-width
// copy-paste and "ada@example.com" are one account and one waitlist entry.
// Isomorphic: the signup and waitlist forms run it in the browser too.
import { z } from "zod";

export type NormalizedEmail = { ok: true; email: string } | { ok: false; message: string };

const EMPTY = "Enter an email address.";
const INVALID = "Enter a valid email address, like name@example.com.";
const INVISIBLE = "The email address contains invisible characters.";
const TOO_LONG = "This email address is too long.";

// Zero-width and bidi characters let two different addresses look identical
// (or one look like another), so they are refused, not silently removed. Most
// are \p{Cf}; they are listed anyway so the intent is explicit.
const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\u00AD\u200B-\u200D\u2060\uFEFF\u202A-\u202E\u2066-\u2069]/u;

// RFC 5322 atext, plus letters and marks for internationalized (RFC 6531)
// local parts. Quoted local parts ("a b"@x.com) are deliberately unsupported.
const LOCAL_PART = /^[\p{L}\p{M}\p{N}!#$%&'*+\-/=?^_`{|}~.]+$/u;

// Checked before the URL parser sees the domain, which would otherwise read
// "/", ":", "?" or "%41" as URL syntax. U+3002 is the ideographic full stop,
// which IDNA maps to "." (NFKC has already mapped the full-width forms).
const UNICODE_DOMAIN = /^[\p{L}\p{M}\p{N}.\u3002-]+$/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

const utf8Length = (value: string) => new TextEncoder().encode(value).length;

export function normalizeEmail(input: string): NormalizedEmail {
  // Lowercase, then NFKC, so the result is itself NFKC (some lowercase
  // mappings produce combining marks).
  const value = input.trim().toLowerCase().normalize("NFKC").trim();
  if (value === "") return { ok: false, message: EMPTY };
  if (INVISIBLE_CHARACTERS.test(value)) return { ok: false, message: INVISIBLE };

  const parts = value.split("@");
  if (parts.length !== 2) return { ok: false, message: INVALID };
  const [local = "", unicodeDomain = ""] = parts;

  // Lengths are SMTP's, in octets: 64 for the local part, 254 for the path.
  if (local === "" || !LOCAL_PART.test(local)) return { ok: false, message: INVALID };
  if (local.startsWith(".") || local.endsWith(".") || local.includes("..")) return { ok: false, message: INVALID };
  if (utf8Length(local) > 64) return { ok: false, message: TOO_LONG };

  const domain = toAsciiDomain(unicodeDomain);
  if (domain === null) return { ok: false, message: INVALID };
  if (domain.length > 253) return { ok: false, message: TOO_LONG };
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label)) || !TLD.test(labels.at(-1) ?? "")) {
    return { ok: false, message: INVALID };
  }

  const email = `${local}@${domain}`;
  if (utf8Length(email) > 254) return { ok: false, message: TOO_LONG };
  return { ok: true, email };
}

// IDNA to punycode via the WHATWG URL parser, available in Node and every
// browser, so no punycode library ships to the client.
function toAsciiDomain(domain: string): string | null {
  if (!UNICODE_DOMAIN.test(domain)) return null;
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return null;
  }
}

/** A form field that outputs the normalized address, or fails with a user-facing message. */
export const EmailSchema = z.string({ error: EMPTY }).transform((value, ctx) => {
  const result = normalizeEmail(value);
  if (result.ok) return result.email;
  ctx.addIssue({ code: "custom", message: result.message });
  return z.NEVER;
});
