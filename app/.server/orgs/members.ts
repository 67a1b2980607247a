// Changing who is in an org and with which role. Every change locks the org row
// first, so two owners demoting each other at the same moment are serialised
// and the second sees that only one owner is left.
import type { OrgRole } from "../../../db/schema";
import type { Database } from "../db";
import { anonymizeActor, recordAuditEvent, type Actor } from "./audit";
import { canGrant, roleAtLeast } from "../../utils/roles";
import { lockOrg } from "./orgs";
import { memberRemoved, memberRoleChanged } from "../events/domain-events";

export type MemberChangeResult = { ok: true } | { ok: false; reason: "not-found" | "forbidden" | "last-owner" };

type Change = { orgId: string; actor: Actor & { userId: string }; actorRole: OrgRole; targetUserId: string; ip: string | null };

async function ownerCount(tx: Database, orgId: string): Promise<number> {
  const row = await tx.selectFrom("membership").select((eb) => eb.fn.countAll<string>().as("n")).where("org_id", "=", orgId).where("role", "=", "owner").executeTakeFirstOrThrow();
  return Number(row.n);
}

async function targetOf(tx: Database, orgId: string, userId: string) {
  return tx
    .selectFrom("membership")
    .innerJoin("user", "user.id", "membership.user_id")
    .select(["membership.role", "user.email"])
    .where("membership.org_id", "=", orgId)
    .where("membership.user_id", "=", userId)
    .executeTakeFirst();
}

/** The actor's role as it is now, under the org lock (it may have changed since the request began). */
async function currentRole(tx: Database, orgId: string, userId: string): Promise<OrgRole | null> {
  const row = await tx.selectFrom("membership").select("role").where("org_id", "=", orgId).where("user_id", "=", userId).executeTakeFirst();
  return row?.role ?? null;
}

export async function changeRole(db: Database, requested: Change & { newRole: OrgRole }): Promise<MemberChangeResult> {
  return db.transaction().execute(async (tx) => {
    await lockOrg(tx, requested.orgId);
    const actorRole = await currentRole(tx, requested.orgId, requested.actor.userId);
    if (!actorRole) return { ok: false as const, reason: "forbidden" as const };
    const change = { ...requested, actorRole };
    const target = await targetOf(tx, change.orgId, change.targetUserId);
    if (!target) return { ok: false as const, reason: "not-found" as const };
    // Only an owner touches an owner; nobody grants above their own role.
    if (!canGrant(change.actorRole, change.newRole) || (target.role === "owner" && change.actorRole !== "owner")) {
      return { ok: false as const, reason: "forbidden" as const };
    }
    if (target.role === "owner" && change.newRole !== "owner" && (await ownerCount(tx, change.orgId)) <= 1) {
      return { ok: false as const, reason: "last-owner" as const };
    }
    await tx.updateTable("membership").set({ role: change.newRole }).where("org_id", "=", change.orgId).where("user_id", "=", change.targetUserId).execute();
    await recordAuditEvent(tx, {
      orgId: change.orgId,
      actor: change.actor,
      action: "member.role_changed",
      target: target.email,
      ip: change.ip,
      metadata: { from: target.role, to: change.newRole },
    });
    await memberRoleChanged(tx, { orgId: change.orgId, userId: change.targetUserId, role: change.newRole, previousRole: target.role });
    return { ok: true as const };
  });
}

/** Removes a member, or lets a member leave (actor = target). */
export async function removeMember(db: Database, requested: Change): Promise<MemberChangeResult> {
  return db.transaction().execute(async (tx) => {
    await lockOrg(tx, requested.orgId);
    const actorRole = await currentRole(tx, requested.orgId, requested.actor.userId);
    if (!actorRole) return { ok: false as const, reason: "forbidden" as const };
    const change = { ...requested, actorRole };
    const target = await targetOf(tx, change.orgId, change.targetUserId);
    if (!target) return { ok: false as const, reason: "not-found" as const };
    const leaving = change.targetUserId === change.actor.userId;
    if (!leaving && (!roleAtLeast(change.actorRole, "admin") || (target.role === "owner" && change.actorRole !== "owner"))) {
      return { ok: false as const, reason: "forbidden" as const };
    }
    if (target.role === "owner" && (await ownerCount(tx, change.orgId)) <= 1) return { ok: false as const, reason: "last-owner" as const };
    await tx.deleteFrom("membership").where("org_id", "=", change.orgId).where("user_id", "=", change.targetUserId).execute();
    await memberRemoved(tx, { orgId: change.orgId, userId: change.targetUserId });
    await recordAuditEvent(tx, { orgId: change.orgId, actor: change.actor, action: leaving ? "member.left" : "member.removed", target: target.email, ip: change.ip });
    // What they did stays with the org, without their name on it.
    await anonymizeActor(tx, change.targetUserId, change.orgId);
    return { ok: true as const };
  });
}
