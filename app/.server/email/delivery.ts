// The delivery worker's one pass: claim due messages, send each, record the
// outcome. Claims use FOR UPDATE SKIP LOCKED, a claim token and a lease, so any
// number of processes can run passes at once and a message is only ever in one
// of them. Once half the lease has gone by (slow sends, a rate-limit wait), the
// pass renews its lease on each message before sending it (a compare-and-set
// on the token): if another pass took the message over, it skips it. Before
// that, no one else can have it, and the extra statement per message is saved. A process that dies mid-send leaves a lease that
// expires; the message is then re-sent with the same id (Resend's Idempotency-Key).
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../db";
import { consumeRateLimit } from "../rate-limit";
import type { EmailTransport } from "./transport";

export type DeliverySettings = {
  from: string;
  /** 0 means no limit. Shared by every process through the rate_limit table. */
  ratePerSecond: number;
  batchSize: number;
  leaseMs: number;
  sendTimeoutMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
};

export const DEFAULT_DELIVERY: Omit<DeliverySettings, "from" | "ratePerSecond"> = {
  batchSize: 20,
  leaseMs: 60_000,
  sendTimeoutMs: 15_000,
  baseDelayMs: 30_000,
  maxDelayMs: 6 * 60 * 60 * 1000,
};

export type DeliveryDeps = {
  db: Database;
  transport: EmailTransport;
  logger: Logger;
  settings: DeliverySettings;
  now?: () => Date;
  random?: () => number;
  /** Waits when the shared rate limit is used up; tests pass a fake. */
  sleep?: (ms: number) => Promise<void>;
};

export type DeliveryPass = { claimed: number; sent: number; retrying: number; failed: number };

type ClaimedEmail = {
  id: string;
  to_address: string;
  to_name: string | null;
  subject: string;
  html: string | null;
  text_body: string | null;
  attempts: number;
  max_attempts: number;
};

export async function claimDueEmails(
  db: Database,
  now: Date,
  claimToken: string,
  settings: Pick<DeliverySettings, "batchSize" | "leaseMs">,
): Promise<ClaimedEmail[]> {
  const leaseUntil = new Date(now.getTime() + settings.leaseMs);
  const result = await sql<ClaimedEmail>`
    update outbox_email set status = 'sending', claim_token = ${claimToken}, locked_until = ${leaseUntil}, updated_at = ${now}
    where id in (
      select id from outbox_email
      where (status = 'queued' and next_attempt_at <= ${now})
         or (status = 'sending' and locked_until < ${now})
      order by next_attempt_at
      limit ${settings.batchSize}
      for update skip locked
    )
    returning id, to_address, to_name, subject, html, text_body, attempts, max_attempts`.execute(db);
  return result.rows;
}

/** Exponential backoff with full jitter, never sooner than the provider asked. */
export function retryDelayMs(attempt: number, settings: Pick<DeliverySettings, "baseDelayMs" | "maxDelayMs">, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.max(Math.round(jittered), retryAfterMs ?? 0);
}

export async function deliverDueEmails(deps: DeliveryDeps): Promise<DeliveryPass> {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { db, settings } = deps;
  const pass: DeliveryPass = { claimed: 0, sent: 0, retrying: 0, failed: 0 };

  const claimToken = randomUUID();
  const claimedAt = now().getTime();
  const claimed = await claimDueEmails(db, new Date(claimedAt), claimToken, settings);
  pass.claimed = claimed.length;
  // Still ours: the claim token is cleared by every move out of 'sending' and
  // replaced by a new claim, so it alone says so. (A `status = 'sending'` here
  // let the planner pick the partial "due" index over the primary key whenever
  // its statistics said the queue was empty: after a notice queued 190k
  // emails, each of these single-row updates scanned the queue, ~1 s apiece.)
  const ours = (id: string) => db.updateTable("outbox_email").where("id", "=", id).where("claim_token", "=", claimToken);

  for (const email of claimed) {
    await waitForSendAllowance(db, settings.ratePerSecond, now, sleep);
    if (now().getTime() - claimedAt >= settings.leaseMs / 2) {
      const renewed = await ours(email.id).set({ locked_until: new Date(now().getTime() + settings.leaseMs) }).executeTakeFirst();
      if (renewed.numUpdatedRows === 0n) continue; // our lease ran out and another pass has it
    }
    const attempt = email.attempts + 1;
    const result = await deps.transport.send(
      { id: email.id, from: settings.from, to: email.to_address, toName: email.to_name, subject: email.subject, html: email.html ?? "", text: email.text_body ?? "" },
      AbortSignal.timeout(settings.sendTimeoutMs),
    );
    const at = now();
    if (result.ok) {
      pass.sent++;
      // The bodies can hold single-use links: once delivered we keep only the metadata.
      await ours(email.id)
        .set({ status: "sent", attempts: attempt, sent_at: at, updated_at: at, claim_token: null, locked_until: null, last_error: null, provider_message_id: result.providerMessageId, html: null, text_body: null })
        .execute();
      continue;
    }
    const giveUp = !result.retryable || attempt >= email.max_attempts;
    if (giveUp) pass.failed++;
    else pass.retrying++;
    const nextAttemptAt = new Date(at.getTime() + retryDelayMs(attempt, settings, random, result.retryAfterMs));
    await ours(email.id)
      .set({ status: giveUp ? "failed" : "queued", attempts: attempt, next_attempt_at: nextAttemptAt, claim_token: null, locked_until: null, last_error: result.error, updated_at: at })
      .execute();
    deps.logger[giveUp ? "error" : "warn"]({ emailId: email.id, attempt, error: result.error }, giveUp ? "email delivery failed for good" : "email delivery will be retried");
  }
  return pass;
}

/** The shared per-second budget (Resend allows 2 requests/s by default). */
async function waitForSendAllowance(db: Database, ratePerSecond: number, now: () => Date, sleep: (ms: number) => Promise<void>) {
  if (ratePerSecond <= 0) return;
  // Fractional rates (0.5/s) become whole sends per longer window.
  const windowSeconds = ratePerSecond >= 1 ? 1 : Math.ceil(1 / ratePerSecond);
  const limit = Math.max(1, Math.floor(ratePerSecond * windowSeconds));
  for (;;) {
    const allowance = await consumeRateLimit(db, "email:send", { limit, windowSeconds }, now());
    if (allowance.allowed) return;
    const wait = windowSeconds * 1000 - (now().getTime() % (windowSeconds * 1000));
    await sleep(Math.max(10, wait));
  }
}

/** Puts a failed message back in the queue, for the operator's "retry" button. */
export async function retryFailedEmail(db: Database, id: string, now = new Date()): Promise<boolean> {
  const result = await db
    .updateTable("outbox_email")
    .set({ status: "queued", next_attempt_at: now, updated_at: now, max_attempts: sql`attempts + 1` })
    .where("id", "=", id)
    .where("status", "=", "failed")
    .where("html", "is not", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
