// The security page's number and domain fields: an empty box means "no limit",
// anything else must be a whole number in range, each with a message that says so.
import { z } from "zod";
import { GRACE_CHOICES } from "../../../utils/policy-grace";

export function optionalWholeNumber(label: string, min: number, max: number) {
  return z
    .string()
    .trim()
    .max(20, `${label} must be a whole number.`)
    .optional()
    .transform((value, ctx) => {
      if (!value) return null;
      if (!/^\d+$/.test(value)) {
        ctx.addIssue({ code: "custom", message: `${label} must be a whole number.` });
        return z.NEVER;
      }
      const number = Number(value);
      if (number < min || number > max) {
        ctx.addIssue({ code: "custom", message: `${label} must be between ${min} and ${max}, or empty for no limit.` });
        return z.NEVER;
      }
      return number;
    });
}

const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
export const MAX_INVITE_DOMAINS = 50;

/** "Example.com, example.org\nexample.net" → ["example.com", "example.org", "example.net"]; empty: any domain. */
export const inviteDomainsField = z
  .string()
  .max(5000, "That list is too long.")
  .optional()
  .transform((value, ctx) => {
    const domains = [...new Set((value ?? "").split(/[\s,;]+/).map((d) => d.trim().toLowerCase().replace(/^@/, "").replace(/\.$/, "")).filter(Boolean))];
    const bad = domains.find((d) => !DOMAIN.test(d));
    if (bad) {
      ctx.addIssue({ code: "custom", message: `“${bad.slice(0, 60)}” is not a domain name (like example.com).` });
      return z.NEVER;
    }
    if (domains.length > MAX_INVITE_DOMAINS) {
      ctx.addIssue({ code: "custom", message: `At most ${MAX_INVITE_DOMAINS} domains.` });
      return z.NEVER;
    }
    return domains;
  });

export const graceDaysField = z.enum(GRACE_CHOICES.map(String) as [string, ...string[]], { error: "Choose a grace period." }).transform(Number);
