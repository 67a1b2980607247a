import type { OrgRole } from "../../db/schema";

export const ROLES: readonly OrgRole[] = ["owner", "admin", "member"];
const RANK: Record<OrgRole, number> = { member: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: OrgRole, minimum: OrgRole): boolean {
  return RANK[role] >= RANK[minimum];
}

/** Owners and admins invite or promote up to their own role, never above it. */
export function canGrant(granter: OrgRole, role: OrgRole): boolean {
  return roleAtLeast(granter, "admin") && RANK[role] <= RANK[granter];
}
