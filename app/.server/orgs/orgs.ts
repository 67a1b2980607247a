// Organizations: creating one, and finding the ones a person belongs to.
import type { OrgRole } from "../../../db/schema";
import { SOLO_SEAT_LIMIT, type OrgStanding } from "../billing/plans";
import type { Database } from "../db";
import { getEnv } from "../env";
import { addressHolder, lockAddresses } from "./address";
import { recordAuditEvent, type Actor } from "./audit";
import { canOwnAnotherSoloOrg, standingOf } from "./entitlements";
import { orgCreated } from "../events/domain-events";

const RESERVED_SLUGS = new Set(["new", "admin", "api", "settings", "login", "signup", "invite", "orgs", "billing", "audit"]);

/** A slug problem in words, or null: 3–40 lowercase letters, digits and single hyphens. */
export function slugProblem(slug: string): string | null {
  if (slug.length < 3 || slug.length > 40) return "Use 3 to 40 characters.";
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(slug)) return "Use lowercase letters, digits and single hyphens, starting and ending with a letter or digit.";
  if (RESERVED_SLUGS.has(slug)) return "That address is reserved. Choose another.";
  return null;
}

export function defaultPlan(): string {
  // Hosted orgs start on the free tier until billing upgrades them; a
  // self-hosted install is the Enterprise tier.
  return getEnv().GATEHOUSE_MODE === "hosted" ? "solo" : "enterprise";
}

/** The seat limit an org starts with on a plan: Solo is small; the others are unlimited until billing says otherwise. */
export function initialSeatLimit(plan: string): number | null {
  return plan === "solo" ? SOLO_SEAT_LIMIT : null;
}

export type CreateOrgResult = { ok: true; slug: string } | { ok: false; reason: "slug-taken" | "solo-limit" };

export async function createOrg(db: Database, input: { name: string; slug: string; owner: Actor & { userId: string }; ip: string | null }): Promise<CreateOrgResult> {
  const plan = defaultPlan();
  try {
    return await db.transaction().execute(async (tx) => {
      // An address another org gave up stays with that org (its old links redirect there).
      await lockAddresses(tx);
      if (await addressHolder(tx, input.slug)) return { ok: false as const, reason: "slug-taken" as const };
      if (plan === "solo") {
        // Serialise one person's org creations, so two at once cannot both pass the Solo allowance.
        await tx.selectFrom("user").select("id").where("id", "=", input.owner.userId).forUpdate().execute();
        if (!(await canOwnAnotherSoloOrg(tx, input.owner.userId))) return { ok: false as const, reason: "solo-limit" as const };
      }
      const org = await tx.insertInto("org").values({ name: input.name, slug: input.slug, plan, seat_limit: initialSeatLimit(plan) }).returning("id").executeTakeFirstOrThrow();
      await tx.insertInto("membership").values({ org_id: org.id, user_id: input.owner.userId, role: "owner" }).execute();
      await recordAuditEvent(tx, { orgId: org.id, actor: input.owner, action: "org.created", target: input.slug, ip: input.ip });
      await orgCreated(tx, { id: org.id, slug: input.slug, name: input.name, plan }, input.owner.userId);
      return { ok: true as const, slug: input.slug };
    });
  } catch (error) {
    if ((error as { code?: string }).code === "23505") return { ok: false, reason: "slug-taken" };
    throw error;
  }
}

export async function listUserOrgs(db: Database, userId: string) {
  return db
    .selectFrom("membership")
    .innerJoin("org", "org.id", "membership.org_id")
    .select(["org.slug", "org.name", "org.plan", "membership.role"])
    .where("membership.user_id", "=", userId)
    .orderBy("org.name")
    .execute();
}

export type OrgAccess = {
  org: { id: string; slug: string; name: string; plan: string; seatLimit: number | null; billingStatus: string | null; billingEndsAt: Date | null };
  role: OrgRole;
  /** Full or read-only access from the subscription's status, and the banner to show. */
  standing: OrgStanding;
};

export async function findOrgAccess(db: Database, slug: string, userId: string, now = new Date()): Promise<OrgAccess | null> {
  const row = await db
    .selectFrom("org")
    .innerJoin("membership", "membership.org_id", "org.id")
    .select(["org.id", "org.slug", "org.name", "org.plan", "org.seat_limit", "org.billing_status", "org.billing_ends_at", "membership.role"])
    .where("org.slug", "=", slug)
    .where("membership.user_id", "=", userId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    org: { id: row.id, slug: row.slug, name: row.name, plan: row.plan, seatLimit: row.seat_limit, billingStatus: row.billing_status, billingEndsAt: row.billing_ends_at },
    role: row.role,
    standing: standingOf(row, now),
  };
}

export async function countMembers(db: Database, orgId: string): Promise<number> {
  const row = await db.selectFrom("membership").select((eb) => eb.fn.countAll<string>().as("n")).where("org_id", "=", orgId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Serialises membership changes of one org (the last-owner rule depends on it). */
export async function lockOrg(tx: Database, orgId: string, now = new Date()): Promise<{ seat_limit: number | null; readOnly: boolean } | undefined> {
  const row = await tx.selectFrom("org").select(["seat_limit", "plan", "billing_status", "billing_ends_at"]).where("id", "=", orgId).forUpdate().executeTakeFirst();
  return row ? { seat_limit: row.seat_limit, readOnly: standingOf(row, now).access === "read-only" } : undefined;
}

/** Members plus pending invitations, against the plan's seat limit. */
export async function hasFreeSeat(tx: Database, orgId: string, seatLimit: number | null, now: Date, countPendingInvitations: boolean, exceptEmail?: string): Promise<boolean> {
  if (seatLimit === null) return true;
  const members = await countMembers(tx, orgId);
  if (!countPendingInvitations) return members < seatLimit;
  let pendingQuery = tx
    .selectFrom("org_invitation")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("org_id", "=", orgId)
    .where("accepted_at", "is", null)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", now);
  if (exceptEmail) pendingQuery = pendingQuery.where("email", "!=", exceptEmail);
  const pending = await pendingQuery.executeTakeFirstOrThrow();
  return members + Number(pending.n) < seatLimit;
}
