// The first line of every org route: who is asking, and may they? Anyone who
// is not a member gets the same 404 as for an org that does not exist; a
// member without the role gets a 403 that says who may ("Only admins can see
// the audit history"). Both are logged as failed authorizations.
import { redirect } from "@remix-run/node";
import type { OrgRole } from "../../../db/schema";
import { requireUser } from "../auth";
import { getDb } from "../db";
import { oncePerRequest, requestStore } from "../http/request-context";
import { getLogger } from "../logger";
import type { ValidSession } from "../session";
import { readOnlyMessage } from "../billing/plans";
import type { Actor } from "./audit";
import { entitlementRefusal } from "./entitlements";
import { findOrgAccess, type OrgAccess } from "./orgs";
import { findCurrentSlugForMember } from "./address";
import { policyRefusal, roleRefusal, roleRefusalMessage } from "./role-refusal";
import { checkOrgAccess } from "./security-policy/check";
import { roleAtLeast } from "../../utils/roles";

export type OrgContext = OrgAccess & { session: ValidSession; actor: Actor & { userId: string }; ip: string | null };

const READING = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Member of the org with at least this role, or a 404 (not a member; a GET of
 * an old address redirects a member to the current one) or a 403 that says who
 * may (a member with too low a role). A read-only org (its
 * subscription paused, unpaid or over) also refuses every change with a 403
 * that says why — except those that only take access away (leaving, removing
 * a member, revoking a key or an invitation) and the billing page
 * (`allowReadOnly`), which is how it gets fixed.
 */
export async function requireOrgRole(request: Request, slug: string | undefined, minimum: OrgRole = "member", options: { allowReadOnly?: boolean } = {}): Promise<OrgContext> {
  const session = await requireUser(request);
  const access = slug ? await lookUpAccess(request, slug, session.user.id) : null;
  if (!access) {
    if (slug && READING.has(request.method)) await redirectFromFormerSlug(request, slug, session.user.id);
    refuse({ userId: session.user.id, slug, path: new URL(request.url).pathname, reason: "not a member" });
  }
  if (!roleAtLeast(access.role, minimum)) {
    // A member already knows the org exists: tell them why, instead of a 404.
    logRefusal({ userId: session.user.id, slug, path: new URL(request.url).pathname, reason: `role ${access.role} below ${minimum}` });
    throw roleRefusal(roleRefusalMessage(new URL(request.url).pathname, minimum));
  }
  // The org's security policy holds for every page and action of it: a session
  // without the second factor it requires, or not made through its SSO when it
  // requires SSO (another org's SSO included), does not open it.
  const policy = READING.has(request.method)
    ? await oncePerRequest(request, `org-policy:${session.id}/${access.org.id}`, () => checkOrgAccess(getDb(), session, access.org.id))
    : await checkOrgAccess(getDb(), session, access.org.id);
  if (!policy.ok) {
    logRefusal({ userId: session.user.id, slug, path: new URL(request.url).pathname, reason: `policy: ${policy.reason}` });
    throw policyRefusal(policy.message);
  }
  if (access.standing.access === "read-only" && !READING.has(request.method) && !options.allowReadOnly && !(await onlyTakesAccessAway(request, access.org.slug))) {
    getLogger().info({ requestId: requestStore.getStore()?.requestId, userId: session.user.id, slug, path: new URL(request.url).pathname }, "change refused: org is read-only");
    throw entitlementRefusal(readOnlyMessage(access.standing));
  }
  return { ...access, session, actor: { userId: session.user.id, label: session.user.email }, ip: requestStore.getStore()?.clientIp ?? null };
}

// The org frame (orgs.$slug.tsx) and the page inside it both ask, in parallel,
// on every page view: one lookup per GET, not two. Not for other methods: the
// loaders that run after an action must see what the action changed.
function lookUpAccess(request: Request, slug: string, userId: string): Promise<OrgAccess | null> {
  if (!READING.has(request.method)) return findOrgAccess(getDb(), slug, userId);
  return oncePerRequest(request, `org-access:${userId}/${slug}`, () => findOrgAccess(getDb(), slug, userId));
}

// Changes a read-only org still takes: a member leaving (their data out of
// it), and an admin cutting access (a leaked key, a stale invitation). Each is
// named by its page and its form's intent; the route's own schema still checks
// the form, so a made-up combination is a 400, never a write.
const REDUCTIONS: Record<string, string[]> = { members: ["leave", "remove"], "api-keys": ["revoke"], invitations: ["revoke"], settings: ["leave", "delete"] };

async function onlyTakesAccessAway(request: Request, slug: string): Promise<boolean> {
  const page = new RegExp(`^/orgs/${slug}/([a-z-]+)$`).exec(new URL(request.url).pathname)?.[1];
  const intents = page ? REDUCTIONS[page] : undefined;
  if (!intents) return false;
  try {
    const intent = (await request.clone().formData()).get("intent");
    return typeof intent === "string" && intents.includes(intent);
  } catch {
    return false;
  }
}

const refusalsLogged = new WeakSet<object>();

function logRefusal(details: Record<string, unknown>): void {
  const context = requestStore.getStore();
  if (!context || !refusalsLogged.has(context)) {
    if (context) refusalsLogged.add(context);
    getLogger().warn({ requestId: context?.requestId, ...details }, "authorization failed");
  }
}

/** Logs a failed authorization (once per request) and answers 404: the caller learns nothing. */
export function refuse(details: Record<string, unknown>): never {
  logRefusal(details);
  throw new Response("Not Found", { status: 404 });
}

// An old address of an org the person belongs to: the same page at the new
// address. Anyone else gets the 404 an unknown slug gets, so old addresses
// reveal nothing to outsiders.
async function redirectFromFormerSlug(request: Request, slug: string, userId: string): Promise<void> {
  const current = await findCurrentSlugForMember(getDb(), slug, userId);
  if (!current) return;
  const url = new URL(request.url);
  const rest = url.pathname.slice(`/orgs/${slug}`.length);
  throw redirect(`/orgs/${current}${rest}${url.search}`, 301);
}
