// The delivery worker's pass, with the email outbox's discipline
// (docs/decisions/0004-email-outbox.md): due deliveries are claimed with FOR
// UPDATE SKIP LOCKED, a claim token and a lease, so any number of processes
// run passes and a delivery is in one pass at a time; every outcome is written
// with a compare-and-set on the token. A process that dies mid-send leaves a
// lease that expires, and the retry carries the same webhook-id (at least
// once: receivers dedupe on it). Failures are retried on RETRY_SCHEDULE_MS for
// about three days; an endpoint that fails every attempt for that long is
// turned off and its owners are emailed.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Database } from "../db";
import { checkEndpointUrl, resolveEndpoint, type ResolvedTarget, type Resolver } from "./endpoint-url";
import { signingSecrets } from "./endpoints";
import { notifyEndpointDisabled } from "./disabled-notice";
import { postSigned, type SendResult } from "./send";
import { signatureHeaders, webhookId } from "./signing";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Waits after the 1st, 2nd… failed attempt: 10 attempts over about 3 days (75.6 hours). */
export const RETRY_SCHEDULE_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR];

export type WebhookDeliverySettings = {
  /** GATEHOUSE_MODE=hosted: private, loopback and link-local addresses are refused. */
  hosted: boolean;
  batchSize: number;
  leaseMs: number;
  timeoutMs: number;
  retryScheduleMs: number[];
  /** An endpoint is turned off once it has failed this many attempts in a row… */
  disableAfterFailures: number;
  /** …over at least this long, without one success. */
  disableAfterMs: number;
};

export const DEFAULT_WEBHOOK_DELIVERY: Omit<WebhookDeliverySettings, "hosted"> = {
  batchSize: 50,
  leaseMs: 60 * SECOND,
  timeoutMs: 15 * SECOND,
  retryScheduleMs: RETRY_SCHEDULE_MS,
  disableAfterFailures: 10,
  disableAfterMs: 72 * HOUR,
};

export type WebhookDeliveryDeps = {
  db: Database;
  logger: Logger;
  settings: WebhookDeliverySettings;
  now?: () => Date;
  random?: () => number;
  resolver?: Resolver;
};

export type WebhookPass = { claimed: number; delivered: number; retrying: number; failed: number };

type Claimed = {
  id: string;
  attempts: number;
  event_id: string;
  body: string;
  endpoint_id: string;
  url: string;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
};

export async function claimDueDeliveries(db: Database, now: Date, claimToken: string, settings: Pick<WebhookDeliverySettings, "batchSize" | "leaseMs">): Promise<Claimed[]> {
  const leaseUntil = new Date(now.getTime() + settings.leaseMs);
  // Deliveries to a turned-off endpoint wait (they are not claimed) until it is turned on again.
  const { rows } = await sql<Claimed>`
    with claimed as (
      update webhook_delivery set status = 'sending', claim_token = ${claimToken}, locked_until = ${leaseUntil}
      where id in (
        select d.id from webhook_delivery d
        join webhook_endpoint ep on ep.id = d.endpoint_id and ep.disabled_at is null
        where d.status in ('pending', 'sending')
          and ((d.status = 'pending' and d.next_attempt_at <= ${now}) or (d.status = 'sending' and d.locked_until < ${now}))
        order by d.next_attempt_at
        limit ${settings.batchSize}
        for update of d skip locked
      )
      returning id, attempts, event_id, endpoint_id
    )
    select c.id, c.attempts, c.event_id, ev.body, c.endpoint_id, ep.url, ep.secret_ciphertext, ep.previous_secret_ciphertext, ep.previous_secret_expires_at
    from claimed c
    join outbound_event ev on ev.id = c.event_id
    join webhook_endpoint ep on ep.id = c.endpoint_id`.execute(db);
  return rows;
}

export async function deliverDueWebhooks(deps: WebhookDeliveryDeps): Promise<WebhookPass> {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const { db, settings } = deps;
  const claimToken = randomUUID();
  const claimed = await claimDueDeliveries(db, now(), claimToken, settings);
  const pass: WebhookPass = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };

  // A batch is sent concurrently: one slow receiver costs the pass its timeout once, not once per event.
  // Each endpoint's secrets are opened, and each host name resolved, once per pass.
  const perPass: PassCache = { secrets: new Map(), targets: new Map() };
  const sent = await Promise.all(claimed.map(async (delivery) => ({ delivery, result: await attempt(delivery, now(), settings, perPass, deps.resolver) })));
  const succeeded = sent.filter((s): s is { delivery: Claimed; result: Extract<SendResult, { ok: true }> } => s.result.ok);
  if (succeeded.length > 0) await recordDelivered(db, succeeded, claimToken, now());
  pass.delivered = succeeded.length;
  for (const { delivery, result } of sent) {
    if (result.ok) continue;
    pass[await recordFailure(db, delivery, claimToken, result, now(), settings, random, deps.logger)]++;
  }
  return pass;
}

type PassCache = { secrets: Map<string, string[]>; targets: Map<string, Promise<ResolvedTarget>> };

async function attempt(delivery: Claimed, at: Date, settings: WebhookDeliverySettings, cache: PassCache, resolver?: Resolver): Promise<SendResult> {
  const shape = checkEndpointUrl(delivery.url);
  if (!shape.ok) return { ok: false, status: null, durationMs: 0, error: shape.message };
  // Checked again now, not only when the endpoint was saved: DNS can change.
  let resolving = cache.targets.get(shape.url.hostname);
  if (!resolving) cache.targets.set(shape.url.hostname, (resolving = resolveEndpoint(shape.url, settings.hosted, resolver)));
  const target = await resolving;
  if (!target.ok) return { ok: false, status: null, durationMs: 0, error: target.message };
  let keys = cache.secrets.get(delivery.endpoint_id);
  if (!keys) cache.secrets.set(delivery.endpoint_id, (keys = signingSecrets({ ...delivery, id: delivery.endpoint_id }, at)));
  const headers = signatureHeaders({ id: webhookId(delivery.event_id), body: delivery.body, at, secrets: keys });
  return postSigned({ url: shape.url, address: target.address, family: target.family, headers, body: delivery.body, timeoutMs: settings.timeoutMs });
}

/** Successes, the common case, are written for the whole batch at once (a compare-and-set on the claim token). */
async function recordDelivered(db: Database, succeeded: Array<{ delivery: Claimed; result: { status: number; durationMs: number } }>, claimToken: string, at: Date) {
  const ids = succeeded.map((s) => s.delivery.id);
  const codes = succeeded.map((s) => s.result.status);
  const durations = succeeded.map((s) => s.result.durationMs);
  const endpoints = [...new Set(succeeded.map((s) => s.delivery.endpoint_id))];
  await db.transaction().execute(async (tx) => {
    await sql`
      update webhook_delivery d
      set status = 'delivered', attempts = d.attempts + 1, delivered_at = ${at}, last_attempt_at = ${at}, last_status_code = v.code,
          last_duration_ms = v.ms, last_error = null, claim_token = null, locked_until = null
      from unnest(${ids}::uuid[], ${codes}::int[], ${durations}::int[]) as v(id, code, ms)
      where d.id = v.id and d.claim_token = ${claimToken}`.execute(tx);
    await tx.updateTable("webhook_endpoint").set({ failure_streak: 0, failing_since: null }).where("id", "in", endpoints).where("failure_streak", ">", 0).execute();
  });
}

async function recordFailure(
  db: Database,
  delivery: Claimed,
  claimToken: string,
  result: Extract<SendResult, { ok: false }>,
  at: Date,
  settings: WebhookDeliverySettings,
  random: () => number,
  logger: Logger,
): Promise<"retrying" | "failed"> {
  const attempts = delivery.attempts + 1;
  const measured = { attempts, last_attempt_at: at, last_status_code: result.status, last_duration_ms: result.durationMs, claim_token: null, locked_until: null };
  // The claim token alone says the delivery is still ours (every move out of
  // 'sending' clears it); adding the status would let the planner prefer the
  // partial "due" index over the primary key on stale statistics (email/delivery.ts).
  const ours = (tx: Database) => tx.updateTable("webhook_delivery").where("id", "=", delivery.id).where("claim_token", "=", claimToken);

  const wait = settings.retryScheduleMs[attempts - 1];
  const giveUp = wait === undefined;
  // ±10 % so that many deliveries that failed together do not all come back together.
  const nextAttemptAt = new Date(at.getTime() + (wait ?? 0) * (0.9 + 0.2 * random()));
  await db.transaction().execute(async (tx) => {
    await ours(tx).set({ ...measured, status: giveUp ? "failed" : "pending", next_attempt_at: nextAttemptAt, last_error: result.error }).execute();
    const endpoint = await tx
      .updateTable("webhook_endpoint")
      .set({ failure_streak: sql`failure_streak + 1`, failing_since: sql`coalesce(failing_since, ${at})` })
      .where("id", "=", delivery.endpoint_id)
      .returning(["failure_streak", "failing_since", "disabled_at", "org_id", "url"])
      .executeTakeFirst();
    if (
      endpoint &&
      !endpoint.disabled_at &&
      endpoint.failure_streak >= settings.disableAfterFailures &&
      endpoint.failing_since &&
      at.getTime() - endpoint.failing_since.getTime() >= settings.disableAfterMs
    ) {
      await tx.updateTable("webhook_endpoint").set({ disabled_at: at, disabled_reason: "failing" }).where("id", "=", delivery.endpoint_id).execute();
      await notifyEndpointDisabled(tx, { orgId: endpoint.org_id, url: endpoint.url, failingSince: endpoint.failing_since }, at);
      logger.warn({ endpointId: delivery.endpoint_id }, "event endpoint turned off after a long failure streak");
    }
  });
  return giveUp ? "failed" : "retrying";
}
