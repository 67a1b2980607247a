// The purge: erases one person from every table once their grace period is
// over. It works in small committed batches (docs/decisions/0010-purge-in-committed-batches.md):
// a person with years of audit history never makes one statement that runs
// past the statement timeout, and never holds locks on thousands of rows for
// long. Each batch first renews this run's lease on the user row (which also
// locks that row first, the one lock order every deletion path follows), then
// changes at most `batchSize` rows through an index. Every step is idempotent,
// so a purge cut short (a crash, a lost lease, a batch budget) is finished by
// the next run; the user row goes last, so until then the person can still be
// identified by their id, every address they have used (user_email_history)
// and the IP addresses found so far (purge_found_ip).
import { createHash, randomUUID } from "node:crypto";
import { sql, type Transaction } from "kysely";
import type { DB } from "../../../db/schema";
import type { Database } from "../db";
import { orgDeleted, userDeleted } from "../events/domain-events";

export type PurgeSettings = {
  /** Most rows one statement changes. */
  batchSize: number;
  /** How long a run may go without renewing its claim before another process may take the purge over. */
  leaseMs: number;
  /** Stop after this many batches (the purge resumes on the next run); for tests. */
  maxBatches?: number;
  /** Stop starting batches after this time (Date.now() milliseconds); the scheduled job finishes the purge. */
  deadline?: number;
};

export const DEFAULT_PURGE: PurgeSettings = { batchSize: 1000, leaseMs: 120_000 };

export type PurgeOutcome = "purged" | "unfinished" | "lost-claim";

/** Who is being erased: what their rows can be recognised by. */
type Person = { userId: string; emails: string[]; name: string | null; label: string };

/** The anonymous name audit history keeps for a deleted person. */
export function deletedUserLabel(userId: string): string {
  return `Deleted user #${userId.replaceAll("-", "").slice(0, 8)}`;
}

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

class LostClaim extends Error {}
class BatchBudgetSpent extends Error {}

/**
 * Claims the due account that has waited longest and that no live run holds.
 * Returns its id and this run's claim token, or null when nobody is due.
 */
export async function claimDuePurge(db: Database, now: Date, leaseMs: number): Promise<{ userId: string; token: string } | null> {
  const token = randomUUID();
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const { rows } = await sql<{ id: string }>`
    update "user" set purge_claim_token = ${token}, purge_lease_until = ${leaseUntil}
    where id = (
      select id from "user"
      where purge_after <= ${now} and (purge_lease_until is null or purge_lease_until < ${now})
      order by purge_after
      limit 1
      for update skip locked
    )
    returning id`.execute(db);
  return rows[0] ? { userId: rows[0].id, token } : null;
}

/** Runs a claimed purge to the end (or until the batch budget is spent). */
export async function runClaimedPurge(db: Database, claim: { userId: string; token: string }, now: Date, settings: PurgeSettings = DEFAULT_PURGE): Promise<PurgeOutcome> {
  let batches = 0;
  // `now` is the run's clock (injected in tests); the lease also counts the
  // real time the run has taken, so a long purge keeps renewing it.
  const startedAt = Date.now();
  const leaseUntil = () => new Date(now.getTime() + (Date.now() - startedAt) + settings.leaseMs);

  /** One committed transaction: renew the lease (locking the user row first), then `work`. */
  async function batch<T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
    if (settings.maxBatches !== undefined && batches >= settings.maxBatches) throw new BatchBudgetSpent();
    if (settings.deadline !== undefined && batches > 0 && Date.now() >= settings.deadline) throw new BatchBudgetSpent();
    batches++;
    return db.transaction().execute(async (tx) => {
      const renewed = await tx
        .updateTable("user")
        .set({ purge_lease_until: leaseUntil() })
        .where("id", "=", claim.userId)
        .where("purge_claim_token", "=", claim.token)
        .where("purge_after", "<=", now)
        .executeTakeFirst();
      if (renewed.numUpdatedRows === 0n) throw new LostClaim();
      return work(tx);
    });
  }
  /** Repeats a batch until it changes fewer rows than a full batch. */
  async function untilDone(work: (tx: Transaction<DB>) => Promise<number>): Promise<void> {
    for (;;) if ((await batch(work)) < settings.batchSize) return;
  }

  try {
    const person = await batch((tx) => identify(tx, claim.userId));
    for (const step of purgeSteps(person, settings.batchSize)) await step(untilDone, batch);
    return "purged";
  } catch (error) {
    if (error instanceof BatchBudgetSpent) {
      // Let the next run go on at once rather than wait for the lease to lapse.
      await db.updateTable("user").set({ purge_claim_token: null, purge_lease_until: null }).where("id", "=", claim.userId).where("purge_claim_token", "=", claim.token).execute();
      return "unfinished";
    }
    if (error instanceof LostClaim) return "lost-claim";
    throw error;
  }
}

/**
 * Everything the person can be recognised by. Addresses of pending email
 * changes join the history (messages went to them), and the IPs of live
 * sessions and of their waitlist entries join the IPs to erase.
 */
async function identify(tx: Transaction<DB>, userId: string): Promise<Person> {
  const user = await tx.selectFrom("user").select(["email", "name"]).where("id", "=", userId).executeTakeFirstOrThrow();
  await sql`insert into user_email_history (user_id, email)
    select user_id, email from email_verification where user_id = ${userId}
    on conflict do nothing`.execute(tx);
  const history = await tx.selectFrom("user_email_history").select("email").where("user_id", "=", userId).execute();
  const emails = [...new Set([user.email, ...history.map((h) => h.email)])];
  await sql`insert into purge_found_ip (user_id, ip)
    select ${userId}::uuid, ip from session where user_id = ${userId} and ip is not null
    union select ${userId}::uuid, ip from waitlist_entry where email = any(${emails}::text[]) and ip is not null
    on conflict do nothing`.execute(tx);
  // Nobody acts as them any more while the purge runs.
  await tx.deleteFrom("session").where("user_id", "=", userId).execute();
  return { userId, emails, name: user.name, label: deletedUserLabel(userId) };
}

type Untildone = (work: (tx: Transaction<DB>) => Promise<number>) => Promise<void>;
type Batch = <T>(work: (tx: Transaction<DB>) => Promise<T>) => Promise<T>;
type Step = (untilDone: Untildone, batch: Batch) => Promise<void>;

/**
 * Walks a table page by page in id order, each page one committed batch:
 * `pageAfter` reads the next `batchSize` ids after the last page (ids only,
 * never the bodies), `scrub` acts on them. Safe to start again from the top.
 */
async function eachPageOfIds(
  batch: Batch,
  batchSize: number,
  pageAfter: (tx: Transaction<DB>, after: string | null) => Promise<Array<{ id: string }>>,
  scrub: (tx: Transaction<DB>, ids: string[]) => Promise<unknown>,
): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const ids: string[] = await batch(async (tx) => {
      const page = (await pageAfter(tx, after)).map((row) => row.id);
      if (page.length > 0) await scrub(tx, page);
      return page;
    });
    if (ids.length < batchSize) return;
    after = ids.at(-1)!;
  }
}

const changed = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined) => Number(result?.numUpdatedRows ?? result?.numDeletedRows ?? 0n);

/** The steps, in order. Each one is safe to run again after any of them was cut short. */
function purgeSteps(person: Person, batchSize: number): Step[] {
  const { userId, emails, label } = person;
  const foundIps = async (tx: Transaction<DB>) => (await tx.selectFrom("purge_found_ip").select("ip").where("user_id", "=", userId).execute()).map((r) => r.ip);
  // How their addresses and name can appear in a message body or a stored payload.
  const mentionPatterns = [
    ...emails.flatMap((email) => [email, email.replaceAll("/", "\\/").replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)]),
    ...(person.name && person.name.trim().length >= 4 ? [person.name.trim()] : []),
  ].map((form) => `%${escapeLike(form)}%`);
  const patterns = [...new Set(mentionPatterns)];

  return [
    // Their own audit events stay with each org, without them: the IPs on
    // those events are noted first, to be cleared wherever else they appear.
    (untilDone) =>
      untilDone(async (tx) => {
        const { rows } = await sql<{ n: string }>`
          with batch as (
            select id, ip from audit_event where actor_id = ${userId} limit ${batchSize} for update
          ), noted as (
            insert into purge_found_ip (user_id, ip) select distinct ${userId}::uuid, ip from batch where ip is not null on conflict do nothing
          ), done as (
            update audit_event set actor_id = null, actor_label = ${label}, ip = null from batch where audit_event.id = batch.id returning 1
          )
          select count(*) as n from done`.execute(tx);
        return Number(rows[0]!.n);
      }),
    // Events about them (invited, joined, role changed...) under any address
    // they used. A failed login to their account loses its IP too: it is as
    // likely theirs as anyone's.
    (untilDone) =>
      untilDone(async (tx) =>
        changed(
          await tx
            .updateTable("audit_event")
            .set({ target: label, ip: sql<string | null>`case when action like 'auth.%' then null else ip end` })
            .where("id", "in", (eb) => eb.selectFrom("audit_event").select("id").where("target", "in", emails).limit(batchSize))
            .executeTakeFirst(),
        ),
      ),
    // Their IPs, whoever's event they sit on (a failed login to their account from their own network, say).
    (untilDone) =>
      untilDone(async (tx) => {
        const ips = await foundIps(tx);
        if (ips.length === 0) return 0;
        return changed(
          await tx
            .updateTable("audit_event")
            .set({ ip: null })
            .where("id", "in", (eb) => eb.selectFrom("audit_event").select("id").where("ip", "in", ips).limit(batchSize))
            .executeTakeFirst(),
        );
      }),
    // Messages to any address they used.
    (untilDone) =>
      untilDone(async (tx) =>
        changed(
          await tx
            .deleteFrom("outbox_email")
            .where("id", "in", (eb) => eb.selectFrom("outbox_email").select("id").where("to_address", "in", emails).limit(batchSize))
            .executeTakeFirst(),
        ),
      ),
    // Unsent messages to others that name them (an invitation from them, say)
    // are not sent any more. Only unsent messages keep bodies; they are read
    // page by page through their own index.
    (_untilDone, batch) =>
      eachPageOfIds(
        batch,
        batchSize,
        (tx, after) =>
          tx
            .selectFrom("outbox_email")
            .select("id")
            .where((eb) => eb.or([eb("html", "is not", null), eb("text_body", "is not", null)]))
            .$if(after !== null, (q) => q.where("id", ">", after!))
            .orderBy("id")
            .limit(batchSize)
            .execute(),
        (tx, ids) =>
          tx
            .updateTable("outbox_email")
            .set({
              html: null,
              text_body: null,
              subject: "(removed: it named a person whose data was erased)",
              status: sql`case when status = 'sent' then 'sent' else 'failed' end`,
              last_error: sql`case when status = 'sent' then last_error else 'not sent: it named a person whose data was erased' end`,
              // A message in flight is no longer the worker's to mark sent.
              claim_token: null,
              locked_until: null,
            })
            .where("id", "in", ids)
            .where((eb) => eb.or(patterns.flatMap((pattern) => [eb("html", "ilike", pattern), eb("text_body", "ilike", pattern)])))
            .execute(),
      ),
    // Stored billing webhooks carry the buyer's email and name; their bodies
    // are read page by page too (old ones are deleted by the billing job).
    (_untilDone, batch) =>
      eachPageOfIds(
        batch,
        batchSize,
        (tx, after) => tx.selectFrom("webhook_event").select("id").where("body", "is not", null).$if(after !== null, (q) => q.where("id", ">", after!)).orderBy("id").limit(batchSize).execute(),
        (tx, ids) =>
          tx
            .updateTable("webhook_event")
            .set({ body: null })
            .where("id", "in", ids)
            .where((eb) => eb.or(patterns.map((pattern) => eb("body", "ilike", pattern))))
            .execute(),
      ),
    // Outbound events about them (user.*, their audit events) and any other
    // that names them; undelivered ones go too (user.deleted, sent last, says
    // it all). Bodies are read page by page, like the billing webhooks.
    (untilDone) =>
      untilDone(async (tx) =>
        changed(
          await tx
            .deleteFrom("outbound_event")
            .where("id", "in", (eb) => eb.selectFrom("outbound_event").select("id").where("subject_user_id", "=", userId).where("type", "!=", "user.deleted").limit(batchSize))
            .executeTakeFirst(),
        ),
      ),
    (_untilDone, batch) =>
      eachPageOfIds(
        batch,
        batchSize,
        (tx, after) => tx.selectFrom("outbound_event").select("id").$if(after !== null, (q) => q.where("id", ">", after!)).orderBy("id").limit(batchSize).execute(),
        (tx, ids) =>
          tx
            .deleteFrom("outbound_event")
            .where("id", "in", ids)
            .where((eb) => eb.or(patterns.map((pattern) => eb("body", "ilike", pattern))))
            .execute(),
      ),
    // Rows keyed by an address they used: the waitlist (name, company, IP),
    // invitations to them, pending verifications, a failed login or reset
    // request the worker has not done yet.
    ...(["waitlist_entry", "org_invitation", "signup_invitation", "email_verification", "deferred_account_work"] as const).map(
      (table): Step =>
        (untilDone) =>
          untilDone(async (tx) =>
            changed(
              await tx
                .deleteFrom(table)
                .where("id", "in", (eb) => eb.selectFrom(table).select("id").where("email", "in", emails).limit(batchSize))
                .executeTakeFirst(),
            ),
          ),
    ),
    // Orgs that go with them (nobody else in them): their history first, in batches.
    async (untilDone, batch) => {
      const doomed = await batch((tx) =>
        tx
          .selectFrom("org")
          .select(["org.id", "org.slug"])
          .where("org.purge_after", "is not", null)
          .where("org.id", "in", (eb) => eb.selectFrom("membership").select("org_id").where("user_id", "=", userId))
          .where((eb) => eb.not(eb.exists(eb.selectFrom("membership").select("user_id").whereRef("membership.org_id", "=", "org.id").where("membership.user_id", "!=", userId))))
          .execute(),
      );
      for (const org of doomed) {
        await untilDone(async (tx) =>
          changed(
            await tx
              .deleteFrom("audit_event")
              .where("id", "in", (eb) => eb.selectFrom("audit_event").select("id").where("org_id", "=", org.id).limit(batchSize))
              .executeTakeFirst(),
          ),
        );
        await batch(async (tx) => {
          await tx.deleteFrom("org").where("id", "=", org.id).execute();
          await orgDeleted(tx, org);
        });
      }
    },
    // Last: rate-limit windows keyed by their IPs or addresses, then the account itself.
    // Its rows cascade (memberships, tokens, dismissals, email history, found
    // IPs); what they made for an org (keys, invitations) stays, creator unset.
    async (_untilDone, batch) => {
      await batch(async (tx) => {
        const ips = await foundIps(tx);
        // rate_limit holds only live windows (the clean-up job deletes the rest),
        // so this scan is bounded by recent traffic, not by the person's history.
        // Windows keyed by an address are keyed by its SHA-256 (login, waitlist, inbox limits).
        const addressKeys = emails.map((email) => `%:${createHash("sha256").update(email).digest("hex")}`);
        const keys = [...ips.map((ip) => `%:ip:${escapeLike(ip)}`), ...addressKeys];
        for (let i = 0; i < keys.length; i += 100) {
          const some = keys.slice(i, i + 100);
          await tx.deleteFrom("rate_limit").where((eb) => eb.or(some.map((key) => eb("key", "like", key)))).execute();
        }
        await tx.deleteFrom("user").where("id", "=", userId).execute();
        // The apps hear of it in the same transaction: the id, nothing else.
        await userDeleted(tx, userId);
      });
    },
  ];
}
