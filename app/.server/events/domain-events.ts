// The typed events, one function each, called in the transaction of the
// change. Payloads (version 1) are documented in docs/events.md; change a
// shape only with a new version there. Org-side events carry ids, never a
// member's address: an app looks people up by id (user.* events carry the rest).
import type { Database } from "../db";
import { emitEvent } from "./emit";

type UserFacts = { id: string; email: string; name: string | null; emailVerified: boolean };
type OrgFacts = { id: string; slug: string; name: string; plan: string };

const user = (u: UserFacts) => ({ id: u.id, email: u.email, name: u.name, email_verified: u.emailVerified });
const org = (o: OrgFacts) => ({ id: o.id, slug: o.slug, name: o.name, plan: o.plan });

export const userCreated = (tx: Database, u: UserFacts, at?: Date) => emitEvent(tx, { type: "user.created", subjectUserId: u.id, data: { user: user(u) }, at });

/** Reads the account as it is now (after the change, in the same transaction). */
export async function userUpdated(tx: Database, userId: string, changed: Array<"email" | "name">, at?: Date) {
  const row = await tx.selectFrom("user").select(["id", "email", "name", "email_verified_at"]).where("id", "=", userId).executeTakeFirst();
  if (!row) return;
  await emitEvent(tx, { type: "user.updated", subjectUserId: userId, data: { user: user({ ...row, emailVerified: row.email_verified_at !== null }), changed }, at });
}

export const userDeletionScheduled = (tx: Database, userId: string, purgeAfter: Date, at?: Date) =>
  emitEvent(tx, { type: "user.deletion_scheduled", subjectUserId: userId, data: { user: { id: userId }, purge_after: purgeAfter.toISOString() }, at });

export const userDeletionCancelled = (tx: Database, userId: string, at?: Date) => emitEvent(tx, { type: "user.deletion_cancelled", subjectUserId: userId, data: { user: { id: userId } }, at });

/** After the purge: the id, and nothing else about the person. */
export const userDeleted = (tx: Database, userId: string, at?: Date) => emitEvent(tx, { type: "user.deleted", subjectUserId: userId, data: { user: { id: userId } }, at });

export const orgCreated = (tx: Database, o: OrgFacts, ownerId: string, at?: Date) => emitEvent(tx, { type: "org.created", orgId: o.id, data: { org: org(o), owner: { user_id: ownerId } }, at });

/** Reads the org as it is now (after the change, in the same transaction). */
export async function orgUpdated(tx: Database, orgId: string, changed: Array<"name" | "slug">, at?: Date) {
  const row = await tx.selectFrom("org").select(["id", "slug", "name", "plan"]).where("id", "=", orgId).executeTakeFirst();
  if (row) await emitEvent(tx, { type: "org.updated", orgId, data: { org: org(row), changed }, at });
}

export const orgDeleted = (tx: Database, o: { id: string; slug: string }, at?: Date) => emitEvent(tx, { type: "org.deleted", orgId: o.id, data: { org: { id: o.id, slug: o.slug } }, at });

export const memberAdded = (tx: Database, m: { orgId: string; userId: string; role: string }, at?: Date) =>
  emitEvent(tx, { type: "member.added", orgId: m.orgId, data: { org: { id: m.orgId }, member: { user_id: m.userId, role: m.role } }, at });

export const memberRoleChanged = (tx: Database, m: { orgId: string; userId: string; role: string; previousRole: string }, at?: Date) =>
  emitEvent(tx, { type: "member.role_changed", orgId: m.orgId, data: { org: { id: m.orgId }, member: { user_id: m.userId, role: m.role, previous_role: m.previousRole } }, at });

export const memberRemoved = (tx: Database, m: { orgId: string; userId: string }, at?: Date) =>
  emitEvent(tx, { type: "member.removed", orgId: m.orgId, data: { org: { id: m.orgId }, member: { user_id: m.userId } }, at });

export async function subscriptionUpdated(tx: Database, orgId: string, at?: Date) {
  const row = await tx.selectFrom("org").select(["plan", "seat_limit", "billing_status", "billing_ends_at"]).where("id", "=", orgId).executeTakeFirst();
  if (!row) return;
  await emitEvent(tx, {
    type: "subscription.updated",
    orgId,
    data: { org: { id: orgId }, subscription: { plan: row.plan, status: row.billing_status, seat_limit: row.seat_limit, ends_at: row.billing_ends_at?.toISOString() ?? null } },
    at,
  });
}

/** Every audit event, to the org's own endpoints (hooked in recordAuditEvent). */
export function auditEventRecorded(
  tx: Database,
  input: { orgId: string; actor: { userId: string | null; label: string }; action: string; target?: string | null; ip?: string | null; metadata?: Record<string, unknown>; at?: Date },
) {
  const at = input.at ?? new Date();
  return emitEvent(tx, {
    type: "audit.event",
    orgId: input.orgId,
    subjectUserId: input.actor.userId,
    data: {
      org: { id: input.orgId },
      event: { action: input.action, actor: { id: input.actor.userId, label: input.actor.label }, target: input.target ?? null, ip: input.ip ?? null, metadata: input.metadata ?? {}, created_at: at.toISOString() },
    },
    at,
  });
}
