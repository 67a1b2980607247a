// Delete Account. Asking ends every session at once and starts a grace period
// (7 days by default); logging in during it offers only "cancel deletion". When
// it ends, purgeDueAccounts() erases the person from every table. An org whose
// only member is the leaving owner goes with them; an org with other members
// needs another owner first.
import { sql } from "kysely";
import type { Database } from "../db";
import { erasePayloadsNaming } from "../billing/reconcile";
import { publicLink } from "../email/brand";
import { queueEmail } from "../email/queue";
import { recordAuditEvent } from "../orgs/audit";
import { verifyPassword } from "../password";
import { revokeAllOidcGrants } from "../identity/grants";
import { invalidateUserSessions } from "../session";

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
  | { ok: false; reason: "wrong-password" }
  | { ok: false; reason: "sole-owner"; orgs: string[] };

export async function scheduleDeletion(
  db: Database,
  input: { userId: string; password: string | null; ip: string | null; graceDays: number },
  now = new Date(),
): Promise<ScheduleResult> {
  // The operator path passes no password: they act on a verified request.
  if (input.password !== null) {
    const row = await db.selectFrom("user").select("password_hash").where("id", "=", input.userId).executeTakeFirstOrThrow();
    if (!(await verifyPassword(row.password_hash, input.password))) return { ok: false, reason: "wrong-password" };
  }
  return db.transaction().execute(async (tx): Promise<ScheduleResult> => {
    // Lock the person's org memberships so a concurrent role change cannot
    // slip past the sole-owner check.
    await tx.selectFrom("membership").select("org_id").where("user_id", "=", input.userId).forUpdate().execute();
    const blockers = await soleOwnerBlockers(tx, input.userId);
    if (blockers.length > 0) return { ok: false, reason: "sole-owner", orgs: blockers };

    const purgeAfter = new Date(now.getTime() + input.graceDays * 86_400_000);
    const user = await tx
      .updateTable("user")
      .set({ deletion_requested_at: now, purge_after: purgeAfter, updated_at: now })
      .where("id", "=", input.userId)
      .returning(["email", "name"])
      .executeTakeFirstOrThrow();
    await invalidateUserSessions(tx, input.userId);
    await revokeAllOidcGrants(tx, input.userId);
    const solo = await soloOrgs(tx, input.userId);
    if (solo.length > 0) {
      const soloIds = solo.map((o) => o.id);
      await tx.updateTable("org").set({ purge_after: purgeAfter }).where("id", "in", soloIds).execute();
      // Nobody may join an org that is about to go: its pending invitations end now.
      await tx.updateTable("org_invitation").set({ revoked_at: now }).where("org_id", "in", soloIds).where("accepted_at", "is", null).where("revoked_at", "is", null).execute();
    }

    const orgs = await tx.selectFrom("membership").select("org_id").where("user_id", "=", input.userId).execute();
    for (const { org_id } of orgs) {
      await recordAuditEvent(tx, { orgId: org_id, actor: { userId: input.userId, label: user.email }, action: "account.deletion_scheduled", target: user.email, ip: input.ip, metadata: { purge_after: purgeAfter.toISOString() }, at: now });
    }
    await queueEmail(
      tx,
      { to: user.email, toName: user.name, template: "deletion-scheduled", props: { purgeDate: purgeAfter.toISOString().slice(0, 10), loginUrl: publicLink("/login"), orgNames: solo.map((o) => o.name) } },
      { now },
    );
    return { ok: true, purgeAfter };
  });
}

export async function cancelDeletion(db: Database, userId: string, ip: string | null, now = new Date()): Promise<{ ok: boolean }> {
  return db.transaction().execute(async (tx) => {
    const user = await tx
      .updateTable("user")
      .set({ deletion_requested_at: null, purge_after: null, updated_at: now })
      .where("id", "=", userId)
      .where("purge_after", "is not", null)
      .returning(["email", "name"])
      .executeTakeFirst();
    if (!user) return { ok: false };
    const orgs = await tx.selectFrom("membership").select("org_id").where("user_id", "=", userId).execute();
    if (orgs.length > 0) {
      await tx.updateTable("org").set({ purge_after: null }).where("id", "in", orgs.map((o) => o.org_id)).where("purge_after", "is not", null).execute();
    }
    for (const { org_id } of orgs) {
      await recordAuditEvent(tx, { orgId: org_id, actor: { userId, label: user.email }, action: "account.deletion_cancelled", target: user.email, ip, at: now });
    }
    await queueEmail(tx, { to: user.email, toName: user.name, template: "deletion-cancelled", props: { settingsUrl: publicLink("/settings") } }, { now });
    return { ok: true };
  });
}

/**
 * Erases one person, in one transaction: if the process dies midway nothing is
 * half done, and running it again finishes the job. Every table that can hold
 * their email, name or IP is listed here.
 */
export async function purgeUser(tx: Database, userId: string): Promise<boolean> {
  const user = await tx.selectFrom("user").select(["id", "email"]).where("id", "=", userId).forUpdate().executeTakeFirst();
  if (!user) return false;
  const label = sql<string>`'Deleted user #' || left(replace(${userId}::text, '-', ''), 8)`;
  // The addresses they used, to clear rate-limit windows keyed by IP.
  const ips = await tx
    .selectFrom("session")
    .select("ip")
    .where("user_id", "=", userId)
    .union(tx.selectFrom("waitlist_entry").select("ip").where("email", "=", user.email))
    .union(tx.selectFrom("audit_event").select("ip").where("actor_id", "=", userId))
    .execute();
  const ipKeys = ips.map((row) => row.ip).filter((ip): ip is string => Boolean(ip));
  if (ipKeys.length > 0) {
    // Her addresses leave the history too, whoever's event they sit on (a failed
    // login to her account from her own network, say).
    await tx.updateTable("audit_event").set({ ip: null }).where("ip", "in", ipKeys).execute();
    await tx.deleteFrom("rate_limit").where((eb) => eb.or(ipKeys.map((ip) => eb("key", "like", `%:ip:${ip.replace(/[\\%_]/g, (c) => `\\${c}`)}`)))).execute();
  }
  // Audit history stays with each org, without the person (or their IP) in it.
  await tx.updateTable("audit_event").set({ actor_label: label, actor_id: null, ip: null }).where("actor_id", "=", userId).execute();
  await tx.updateTable("audit_event").set({ target: label }).where("target", "=", user.email).execute();
  await tx.updateTable("audit_event").set({ actor_label: label }).where("actor_label", "=", user.email).execute();
  await tx.deleteFrom("waitlist_entry").where("email", "=", user.email).execute();
  await tx.deleteFrom("outbox_email").where("to_address", "=", user.email).execute();
  // Messages to others that are still queued may name them (an invitation
  // from them, say): those are not sent any more.
  const mention = `%${user.email.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  await tx
    .updateTable("outbox_email")
    .set({
      html: null,
      text_body: null,
      subject: "(removed: it named a person whose data was erased)",
      status: sql`case when status = 'sent' then 'sent' else 'failed' end`,
      last_error: sql`case when status = 'sent' then last_error else 'not sent: it named a person whose data was erased' end`,
    })
    .where((eb) => eb.or([eb("html", "ilike", mention), eb("text_body", "ilike", mention), eb("subject", "ilike", mention)]))
    .execute();
  await tx.deleteFrom("org_invitation").where("email", "=", user.email).execute();
  await tx.deleteFrom("signup_invitation").where("email", "=", user.email).execute();
  await tx.deleteFrom("email_verification").where("email", "=", user.email).execute();
  // Billing webhooks carry the buyer's email and name in their stored payloads.
  await erasePayloadsNaming(tx, user.email);
  // Grants, tokens and device details (host name, IP) from signing in to apps.
  await revokeAllOidcGrants(tx, userId);
  // Orgs scheduled to go with their last member.
  await tx
    .deleteFrom("org")
    .where("purge_after", "is not", null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("membership").select("user_id").whereRef("membership.org_id", "=", "org.id").where("membership.user_id", "!=", userId))))
    .where("id", "in", tx.selectFrom("membership").select("org_id").where("user_id", "=", userId))
    .execute();
  // Cascades: sessions, verifications, resets, memberships, dismissals; keys
  // they created and invitations they sent stay, with creator set to null.
  await tx.deleteFrom("user").where("id", "=", userId).execute();
  return true;
}

/** The scheduled job: purge everyone past their grace period, one at a time, skipping rows another process holds. */
export async function purgeDueAccounts(db: Database, now = new Date(), limit = 100): Promise<number> {
  let purged = 0;
  for (let i = 0; i < limit; i++) {
    const done = await db.transaction().execute(async (tx) => {
      const due = await tx.selectFrom("user").select("id").where("purge_after", "<=", now).orderBy("purge_after").limit(1).forUpdate().skipLocked().executeTakeFirst();
      if (!due) return false;
      return purgeUser(tx, due.id);
    });
    if (!done) break;
    purged++;
  }
  return purged;
}
