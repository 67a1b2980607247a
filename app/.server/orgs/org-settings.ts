// The org settings page's changes that keep the org: its name, and who owns it.
// (Its address is in address.ts, deleting it in org-deletion.ts.)
import type { Database } from "../db";
import { recordAuditEvent, type Actor } from "./audit";
import { lockOrg } from "./orgs";
import { memberRoleChanged, orgUpdated } from "../events/domain-events";

export type RenameResult = { ok: true } | { ok: false; reason: "unchanged" | "not-found" };

export async function renameOrg(db: Database, input: { orgId: string; name: string; actor: Actor; ip: string | null; now?: Date }): Promise<RenameResult> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (tx) => {
    const org = await tx.selectFrom("org").select("name").where("id", "=", input.orgId).forUpdate().executeTakeFirst();
    if (!org) return { ok: false as const, reason: "not-found" as const };
    if (org.name === input.name) return { ok: false as const, reason: "unchanged" as const };
    await tx.updateTable("org").set({ name: input.name, updated_at: now }).where("id", "=", input.orgId).execute();
    await recordAuditEvent(tx, { orgId: input.orgId, actor: input.actor, action: "org.renamed", target: input.name, ip: input.ip, metadata: { from: org.name, to: input.name }, at: now });
    await orgUpdated(tx, input.orgId, ["name"], now);
    return { ok: true as const };
  });
}

export type TransferResult = { ok: true; newOwnerEmail: string } | { ok: false; reason: "not-owner" | "not-a-member" | "self" };

/**
 * Makes another member the owner; the one handing over stays on as an admin.
 * Under the org lock, like every membership change, and with the actor's role
 * read again inside it: two owners handing the org to each other at once end
 * with one of them as owner, never none.
 */
export async function transferOwnership(db: Database, input: { orgId: string; actor: Actor & { userId: string }; newOwnerId: string; ip: string | null; now?: Date }): Promise<TransferResult> {
  const now = input.now ?? new Date();
  if (input.newOwnerId === input.actor.userId) return { ok: false, reason: "self" };
  return db.transaction().execute(async (tx) => {
    await lockOrg(tx, input.orgId, now);
    const roles = await tx
      .selectFrom("membership")
      .innerJoin("user", "user.id", "membership.user_id")
      .select(["membership.user_id", "membership.role", "user.email"])
      .where("membership.org_id", "=", input.orgId)
      .where("membership.user_id", "in", [input.actor.userId, input.newOwnerId])
      .execute();
    const actor = roles.find((r) => r.user_id === input.actor.userId);
    const target = roles.find((r) => r.user_id === input.newOwnerId);
    if (actor?.role !== "owner") return { ok: false as const, reason: "not-owner" as const };
    if (!target) return { ok: false as const, reason: "not-a-member" as const };
    await tx.updateTable("membership").set({ role: "owner" }).where("org_id", "=", input.orgId).where("user_id", "=", input.newOwnerId).execute();
    await tx.updateTable("membership").set({ role: "admin" }).where("org_id", "=", input.orgId).where("user_id", "=", input.actor.userId).execute();
    await recordAuditEvent(tx, { orgId: input.orgId, actor: input.actor, action: "org.ownership_transferred", target: target.email, ip: input.ip, metadata: { from: target.role, to: "owner", previous_owner_now: "admin" }, at: now });
    await memberRoleChanged(tx, { orgId: input.orgId, userId: input.newOwnerId, role: "owner", previousRole: target.role }, now);
    await memberRoleChanged(tx, { orgId: input.orgId, userId: input.actor.userId, role: "admin", previousRole: "owner" }, now);
    return { ok: true as const, newOwnerEmail: target.email };
  });
}
