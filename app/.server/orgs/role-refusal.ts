// What a member reads on a page their role does not open. They already know
// the org exists, so a 404 would only confuse them; the message names who may.
import type { OrgRole } from "../../../db/schema";

export type RoleRefusal = { roleRequired: true; message: string };

// The org pages that need more than membership, by their path segment.
const PAGE_NAMES: Record<string, string> = {
  audit: "see the audit history",
  "api-keys": "manage the organization's API keys",
  invitations: "manage invitations",
  billing: "manage billing",
  settings: "change the organization's settings",
  security: "manage the organization's security rules",
};

export function roleRefusalMessage(pathname: string, minimum: OrgRole): string {
  const page = /^\/orgs\/[^/]+\/([a-z-]+)/.exec(pathname)?.[1];
  const who = minimum === "owner" ? "Only owners" : "Only admins";
  const what = (page && PAGE_NAMES[page]) ?? "open this page";
  return `${who} can ${what}. Ask an admin of this organization if you need it.`;
}

export function roleRefusal(message: string): Response {
  const body: RoleRefusal = { roleRequired: true, message };
  return Response.json(body, { status: 403, headers: { "Cache-Control": "no-store" } });
}

export type PolicyRefusal = { policyRequired: true; message: string };

/** A session that does not meet the org's security policy (two-factor, SSO): the message says what to do. */
export function policyRefusal(message: string): Response {
  const body: PolicyRefusal = { policyRequired: true, message };
  return Response.json(body, { status: 403, headers: { "Cache-Control": "no-store" } });
}
