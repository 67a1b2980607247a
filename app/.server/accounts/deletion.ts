// Delete Account. Asking ends every session at once and starts a grace period
// (7 days by default); logging in during it offers only "cancel deletion". When
// it ends, purgeDueAccounts() erases the person from every table (in committed
// batches, see deletion-purge.ts). An org whose only member is the leaving
// owner goes with them; an org with other members needs another owner first.
// Nothing irreversible happens before the purge: cancelling gives everything
// back, the pending invitations of an org that would go with them included.
//
// Lock order, on every path (schedule, cancel, erase now, the purge's
// batches): the user row first, then anything else. Two paths that lock the
// same rows in different orders deadlock under concurrency.
import { randomUUID } from "node:crypto";
import { sql, type Transaction } from "kysely";
import type { DB } from "../../../db/schema";
import type { Database } from "../db";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { recordAuditEvent } from "../orgs/audit";
import { revokeAllOidcGrants } from "../identity/grants";
import { invalidateUserSessions } from "../session";
import { verifyCurrentPassword } from "./current-password";
import { claimDuePurge, DEFAULT_PURGE, runClaimedPurge, type PurgeSettings } from "./deletion-purge";
import { appsHearOfDeletions } from "../events/deletion-reach";
import { userDeletionCancelled, userDeletionScheduled } from "../events/domain-events";

/** Orgs where this user is the only owner and others would be left without one. */
export async function soleOwnerBlockers(db: Database, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("membership as mine")
    .innerJoin("org", "org.id", "mine.org_id")
    .select("org.name")
    .where("mine.user_id", "=", userId)
    .where("mine.role", "=", "owner")
    .where((eb) =>
      eb.and([
        eb.not(eb.exists(eb.selectFrom("membership as other").select("other.user_id").whereRef("other.org_id", "=", "mine.org_id").where("other.user_id", "!=", userId).where("other.role", "=", "owner"))),
        eb.exists(eb.selectFrom("membership as other").select("other.user_id").whereRef("other.org_id", "=", "mine.org_id").where("other.user_id", "!=", userId)),
      ]),
    )
    .orderBy("org.name")
    .execute();
  return rows.map((r) => r.name);
}

/** Orgs that have no member but this user: they are deleted with the account. */
async function soloOrgs(db: Database, userId: string) {
  return db
    .selectFrom("membership as mine")
    .innerJoin("org", "org.id", "mine.org_id")
    .select(["org.id", "org.name"])
    .where("mine.user_id", "=", userId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("membership as other").select("other.user_id").whereRef("other.org_id", "=", "mine.org_id").where("other.user_id", "!=", userId))))
    .execute();
}

export type ScheduleResult =
  | { ok: true; purgeAfter: Date }
  | { ok: false; reason: "wrong-password" | "not-found" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number }
  | { ok: false; reason: "sole-owner"; orgs: string[] };

/** Locks the account row (the first lock of every deletion path). */
async function lockUser(tx: Transaction<DB>, userId: string) {
  return tx
    .selectFrom("user")
    .select(["id", "email", "name", "purge_after", "purge_lease_until"])
    .where("id", "=", userId)
    .forUpdate()
    .executeTakeFirst();
}

type LockedUser = NonNullable<Awaited<ReturnType<typeof lockUser>>>;

/** Starts the grace period for a locked account; nothing here is irreversible. */
async function markForDeletion(
  tx: Transaction<DB>,
  user: LockedUser,
  input: { ip: string | null; purgeAfter: Date; sendEmail: boolean },
  now: Date,
): Promise<ScheduleResult> {
  // Locks the person's org memberships (after the user row) so a concurrent
  // role change cannot slip past the sole-owner check.
  await tx.selectFrom("membership").select("org_id").where("user_id", "=", user.id).forUpdate().execute();
  const blockers = await soleOwnerBlockers(tx, user.id);
  if (blockers.length > 0) return { ok: false, reason: "sole-owner", orgs: blockers };

  const { purgeAfter } = input;
  await tx.updateTable("user").set({ deletion_requested_at: now, purge_after: purgeAfter, updated_at: now }).where("id", "=", user.id).execute();
  // The sessions end now, but the purge must still find their IPs elsewhere
  // (audit events, rate-limit windows); cancelling forgets them again.
  await sql`insert into purge_found_ip (user_id, ip) select distinct user_id, ip from session where user_id = ${user.id} and ip is not null on conflict do nothing`.execute(tx);
  await invalidateUserSessions(tx, user.id);
  // Apps signed in as them lose their tokens now, not at the purge.
  await revokeAllOidcGrants(tx, user.id);
  const solo = await soloOrgs(tx, user.id);
  // An org with nobody else in it goes with them. Its pending invitations stay
  // as they are (cancelling must give everything back); nobody can accept one
  // while the org is scheduled to go (findInvitation), and they go with the org.
  if (solo.length > 0) await tx.updateTable("org").set({ purge_after: purgeAfter }).where("id", "in", solo.map((o) => o.id)).execute();

  const orgs = await tx.selectFrom("membership").select("org_id").where("user_id", "=", user.id).execute();
  for (const { org_id } of orgs) {
    await recordAuditEvent(tx, { orgId: org_id, actor: { userId: user.id, label: user.email }, action: "account.deletion_scheduled", target: user.email, ip: input.ip, metadata: { purge_after: purgeAfter.toISOString() }, at: now });
  }
  await userDeletionScheduled(tx, user.id, purgeAfter, now);
  if (input.sendEmail) {
    const appsTold = await appsHearOfDeletions(tx);
    await queueEmail(
      tx,
      { to: user.email, toName: user.name, template: "deletion-scheduled", props: { purgeDate: purgeAfter.toISOString().slice(0, 10), loginUrl: publicLink("/login"), orgNames: solo.map((o) => o.name), appsTold } },
      { now },
    );
  }
  return { ok: true, purgeAfter };
}

export async function scheduleDeletion(
  db: Database,
  input: { userId: string; password: string | null; ip: string | null; graceDays: number },
  now = new Date(),
): Promise<ScheduleResult> {
  // The operator path passes no password: they act on a verified request.
  if (input.password !== null) {
    const check = await verifyCurrentPassword(db, { id: input.userId }, input.password, input.ip, now);
    if (!check.ok) return check;
  }
  return db.transaction().execute(async (tx): Promise<ScheduleResult> => {
    const user = await lockUser(tx, input.userId);
    if (!user) return { ok: false, reason: "not-found" };
    // Past its grace period the purge may be under way: nothing to (re)schedule.
    if (user.purge_after && user.purge_after <= now) return { ok: true, purgeAfter: user.purge_after };
    return markForDeletion(tx, user, { ip: input.ip, purgeAfter: new Date(now.getTime() + input.graceDays * 86_400_000), sendEmail: true }, now);
  });
}

export async function cancelDeletion(db: Database, userId: string, ip: string | null, now = new Date()): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (tx) => {
    // Only within the grace period: once it is over the purge may have begun.
    const user = await tx
      .updateTable("user")
      .set({ deletion_requested_at: null, purge_after: null, updated_at: now })
      .where("id", "=", userId)
      .where("purge_after", ">", now)
      .returning(["email", "name"])
      .executeTakeFirst();
    if (!user) return { ok: false };
    await tx.deleteFrom("purge_found_ip").where("user_id", "=", userId).execute();
    const orgs = await tx.selectFrom("membership").select("org_id").where("user_id", "=", userId).execute();
    if (orgs.length > 0) {
      await tx.updateTable("org").set({ purge_after: null }).where("id", "in", orgs.map((o) => o.org_id)).where("purge_after", "is not", null).execute();
    }
    for (const { org_id } of orgs) {
      await recordAuditEvent(tx, { orgId: org_id, actor: { userId, label: user.email }, action: "account.deletion_cancelled", target: user.email, ip, at: now });
    }
    await userDeletionCancelled(tx, userId, now);
    await queueEmail(tx, { to: user.email, toName: user.name, template: "deletion-cancelled", props: { settingsUrl: publicLink("/settings") } }, { now });
    return { ok: true };
  });
}

export type EraseNowResult =
  | { ok: true; outcome: "erased" | "already-gone" | "under-way" }
  | { ok: false; reason: "sole-owner"; orgs: string[] };

/** How long "erase now" purges within the operator's request before leaving the rest to the job. */
export const ERASE_NOW_BUDGET_MS = 15_000;

/**
 * The operator's "erase now": ends the grace period at once and runs the
 * purge in this call, for up to ERASE_NOW_BUDGET_MS (a long history is
 * finished by the scheduled job, within a minute). Any number of these (and
 * the scheduled job) may run for the same person at once: the first takes the
 * purge's claim, the others answer that it is under way (or already done).
 */
export async function eraseAccountNow(
  db: Database,
  input: { userId: string; ip: string | null },
  now = new Date(),
  settings: PurgeSettings = { ...DEFAULT_PURGE, deadline: Date.now() + ERASE_NOW_BUDGET_MS },
): Promise<EraseNowResult> {
  const token = randomUUID();
  const claimed = await db.transaction().execute(async (tx): Promise<EraseNowResult | "claimed"> => {
    const user = await lockUser(tx, input.userId);
    if (!user) return { ok: true, outcome: "already-gone" };
    if (user.purge_lease_until && user.purge_lease_until >= now) return { ok: true, outcome: "under-way" };
    if (!user.purge_after || user.purge_after > now) {
      // The confirmation email is not sent: the purge would delete it unsent.
      const marked = await markForDeletion(tx, user, { ip: input.ip, purgeAfter: now, sendEmail: false }, now);
      if (!marked.ok) return marked.reason === "sole-owner" ? marked : { ok: true, outcome: "already-gone" };
    }
    await tx.updateTable("user").set({ purge_claim_token: token, purge_lease_until: new Date(now.getTime() + settings.leaseMs) }).where("id", "=", user.id).execute();
    return "claimed";
  });
  if (claimed !== "claimed") return claimed;
  const outcome = await runClaimedPurge(db, { userId: input.userId, token }, now, settings);
  return { ok: true, outcome: outcome === "purged" ? "erased" : "under-way" };
}

/**
 * The scheduled job: purges everyone past their grace period, one person at a
 * time; a person another process is purging is skipped (their lease is live).
 * Returns how many were purged to the end.
 */
export async function purgeDueAccounts(db: Database, now = new Date(), options: { limit?: number; settings?: PurgeSettings } = {}): Promise<number> {
  const settings = options.settings ?? DEFAULT_PURGE;
  let purged = 0;
  for (let i = 0; i < (options.limit ?? 100); i++) {
    const claim = await claimDuePurge(db, now, settings.leaseMs);
    if (!claim) break;
    const outcome = await runClaimedPurge(db, claim, now, settings);
    if (outcome === "purged") purged++;
    // A batch budget applies to the whole run, not to each person.
    if (outcome === "unfinished") break;
  }
  return purged;
}
