// Reconciliation: ask LemonSqueezy for every subscription of the store and
// apply each one we know, through the same rule as webhooks (never older than
// what is stored). A webhook that never arrived is healed by the next run: the
// daily job, or the operator's "Reconcile now".
//
// A subscription no org here is linked to is reported, not adopted: the API
// does not return a checkout's custom data, so nothing proves whose it is.
import type { Database } from "../db";
import { listStoreSubscriptions, type ApiResult } from "./lemonsqueezy";
import type { BillingSettings } from "./settings";
import { applySubscriptionSnapshot, PROVIDER } from "./subscriptions";
import { containsPattern } from "../database/like-pattern";

export type ReconcileReport = {
  listed: number;
  changed: number;
  unchanged: number;
  /** Subscriptions in the store that belong to no org here (ids, first 20). */
  unlinked: string[];
  /** Entries of the store's list that did not parse, or that we skipped (other variant). */
  problems: string[];
};

/** Only one reconciliation runs at a time, scheduled or on demand (runExclusively's lock name). */
export const RECONCILE_JOB = "billing-reconcile";

export async function reconcileSubscriptions(db: Database, settings: BillingSettings, now = new Date()): Promise<ApiResult<ReconcileReport>> {
  const listed = await listStoreSubscriptions(settings);
  if (!listed.ok) return listed;
  const report: ReconcileReport = { listed: listed.value.subscriptions.length, changed: 0, unchanged: 0, unlinked: [], problems: [...listed.value.unreadable] };
  for (const snapshot of listed.value.subscriptions) {
    const known = await db.selectFrom("subscription").select("id").where("provider", "=", PROVIDER).where("provider_subscription_id", "=", snapshot.providerSubscriptionId).executeTakeFirst();
    if (!known) {
      if (report.unlinked.length < 20) report.unlinked.push(snapshot.providerSubscriptionId);
      continue;
    }
    const apply = (tx: Database) => applySubscriptionSnapshot(tx, snapshot, { settings, reference: null, source: "reconciliation", now });
    // Inside the job's transaction (which holds its lock) or one transaction per subscription.
    const outcome = db.isTransaction ? await apply(db) : await db.transaction().execute(apply);
    if (outcome.applied && outcome.changed) report.changed++;
    else if (outcome.applied || outcome.reason === "stale") report.unchanged++;
    else report.problems.push(outcome.summary);
  }
  return { ok: true, value: report };
}

/** Handled events are kept this long for the operator's log, then deleted (their bodies name the buyer). */
export const WEBHOOK_EVENT_RETENTION_DAYS = 90;

export async function deleteOldWebhookEvents(db: Database, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - WEBHOOK_EVENT_RETENTION_DAYS * 86_400_000);
  const result = await db.deleteFrom("webhook_event").where("received_at", "<", cutoff).where("status", "in", ["applied", "skipped", "failed"]).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Account deletion: webhook payloads that name this address lose their body
 * (the event row stays, so the log still shows what happened).
 */
export async function erasePayloadsNaming(db: Database, email: string): Promise<number> {
  // The address as it can appear in the raw JSON: plain, or PHP-style with
  // "\/" for slashes and \uXXXX for anything outside ASCII.
  const phpStyle = email.replaceAll("/", "\\/").replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const patterns = [...new Set([email, phpStyle])].map(containsPattern);
  const result = await db
    .updateTable("webhook_event")
    .set({ body: null })
    .where((eb) => eb.or(patterns.map((pattern) => eb("body", "ilike", pattern))))
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
