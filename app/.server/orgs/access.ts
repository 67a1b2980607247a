// The first line of every org route: who is asking, and may they? Anyone who
// is not a member (or lacks the role) gets the same 404 as for an org that does
// not exist, and the attempt is logged as a failed authorization.
import type { OrgRole } from "../../../db/schema";
import { requireUser } from "../auth";
import { getDb } from "../db";
import { requestStore } from "../http/request-context";
import { getLogger } from "../logger";
import type { ValidSession } from "../session";
import type { Actor } from "./audit";
import { findOrgAccess, type OrgAccess } from "./orgs";
import { roleAtLeast } from "../../utils/roles";

export type OrgContext = OrgAccess & { session: ValidSession; actor: Actor & { userId: string }; ip: string | null };

export async function requireOrgRole(request: Request, slug: string | undefined, minimum: OrgRole = "member"): Promise<OrgContext> {
  const session = await requireUser(request);
  const access = slug ? await findOrgAccess(getDb(), slug, session.user.id) : null;
  if (!access || !roleAtLeast(access.role, minimum)) {
    refuse({ userId: session.user.id, slug, path: new URL(request.url).pathname, reason: access ? `role ${access.role} below ${minimum}` : "not a member" });
  }
  return { ...access, session, actor: { userId: session.user.id, label: session.user.email }, ip: requestStore.getStore()?.clientIp ?? null };
}

/** Logs a failed authorization and answers 404: the caller learns nothing. */
export function refuse(details: Record<string, unknown>): never {
  getLogger().warn({ requestId: requestStore.getStore()?.requestId, ...details }, "authorization failed");
  throw new Response("Not Found", { status: 404 });
}
