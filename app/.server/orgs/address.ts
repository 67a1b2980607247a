// An org's address (its slug). Old addresses are kept in org_slug_history:
// links to them redirect members to the current address, and nobody else can
// take one over. Every change of who holds which address takes one advisory
// lock, so a new org and a renamed one cannot claim the same address at once
// (the uniqueness spans two tables, which no single constraint can hold).
import { sql } from "kysely";
import type { Database } from "../db";
import { recordAuditEvent, type Actor } from "./audit";
import { orgUpdated } from "../events/domain-events";

// Any fixed 64-bit number, shared by every path that hands out an address.
const ADDRESS_LOCK = 7_261_304_551_001n;

export async function lockAddresses(tx: Database): Promise<void> {
  await sql`select pg_advisory_xact_lock(${ADDRESS_LOCK})`.execute(tx);
}

/** The org that uses or used `slug`, if any (call under lockAddresses to act on the answer). */
export async function addressHolder(tx: Database, slug: string): Promise<string | null> {
  const current = await tx.selectFrom("org").select("id").where("slug", "=", slug).executeTakeFirst();
  if (current) return current.id;
  const former = await tx.selectFrom("org_slug_history").select("org_id").where("slug", "=", slug).executeTakeFirst();
  return former?.org_id ?? null;
}

export type ChangeSlugResult = { ok: true; slug: string } | { ok: false; reason: "taken" | "unchanged" | "not-found" };

export async function changeOrgSlug(db: Database, input: { orgId: string; newSlug: string; actor: Actor; ip: string | null; now?: Date }): Promise<ChangeSlugResult> {
  const now = input.now ?? new Date();
  return db.transaction().execute(async (tx) => {
    await lockAddresses(tx);
    const org = await tx.selectFrom("org").select(["slug"]).where("id", "=", input.orgId).forUpdate().executeTakeFirst();
    if (!org) return { ok: false as const, reason: "not-found" as const };
    if (org.slug === input.newSlug) return { ok: false as const, reason: "unchanged" as const };
    const holder = await addressHolder(tx, input.newSlug);
    if (holder && holder !== input.orgId) return { ok: false as const, reason: "taken" as const };
    // Going back to one of its own old addresses: that address is current again.
    await tx.deleteFrom("org_slug_history").where("slug", "=", input.newSlug).execute();
    await tx.insertInto("org_slug_history").values({ slug: org.slug, org_id: input.orgId, replaced_at: now }).execute();
    await tx.updateTable("org").set({ slug: input.newSlug, updated_at: now }).where("id", "=", input.orgId).execute();
    await recordAuditEvent(tx, { orgId: input.orgId, actor: input.actor, action: "org.slug_changed", target: input.newSlug, ip: input.ip, metadata: { from: org.slug, to: input.newSlug }, at: now });
    await orgUpdated(tx, input.orgId, ["slug"], now);
    return { ok: true as const, slug: input.newSlug };
  });
}

/** The current slug of the org that once had `formerSlug`, only if `userId` is a member of it now. */
export async function findCurrentSlugForMember(db: Database, formerSlug: string, userId: string): Promise<string | null> {
  const row = await db
    .selectFrom("org_slug_history")
    .innerJoin("org", "org.id", "org_slug_history.org_id")
    .innerJoin("membership", "membership.org_id", "org.id")
    .select("org.slug")
    .where("org_slug_history.slug", "=", formerSlug)
    .where("membership.user_id", "=", userId)
    .executeTakeFirst();
  return row?.slug ?? null;
}
