// Billing's share of the background work (hosted mode with billing on only):
// the webhook worker, and once a day reconciliation plus the webhook log's
// retention. Every process checks hourly; an advisory lock lets one run at a
// time and a daily rate-limit slot, taken in the same transaction, makes it once
// a day across replicas (a run that fails gives its slot back).
import type { Logger } from "pino";
import type { Database } from "../db";
import { runExclusively } from "../jobs/exclusive";
import { consumeRateLimit } from "../rate-limit";
import { deleteOldWebhookEvents, RECONCILE_JOB, reconcileSubscriptions } from "./reconcile";
import type { BillingSettings } from "./settings";
import { startBillingWorker } from "./worker";

const DAILY_CHECK_INTERVAL_MS = 60 * 60 * 1000;

export type BillingWork = { stop: () => Promise<void> };

export async function runDailyBillingJob(db: Database, settings: BillingSettings, logger: Logger, now = new Date()) {
  // Everything runs in the lock's transaction: a failed run rolls back its slot
  // too, and the embedded database (one connection) never waits on itself.
  return runExclusively(db, RECONCILE_JOB, async (trx) => {
    const slot = await consumeRateLimit(trx, "job:billing-daily", { limit: 1, windowSeconds: 86_400 }, now);
    if (!slot.allowed) return null;
    const reconciled = await reconcileSubscriptions(trx, settings, now);
    if (!reconciled.ok) throw new Error(reconciled.error);
    const deleted = await deleteOldWebhookEvents(trx, now);
    logger.info({ ...reconciled.value, oldWebhookEventsDeleted: deleted }, "billing reconciled with LemonSqueezy");
    return reconciled.value;
  });
}

export function startBillingWork(settings: BillingSettings, logger: Logger, db: Database): BillingWork {
  const worker = startBillingWorker({ db, settings, logger });
  const check = () =>
    runDailyBillingJob(db, settings, logger).catch((error: Error) => logger.warn({ err: error.message }, "billing reconciliation failed; the next hourly check tries again"));
  // A first check soon after start, so a fresh deployment does not wait an hour.
  const first = setTimeout(check, 60_000);
  first.unref();
  const daily = setInterval(check, DAILY_CHECK_INTERVAL_MS);
  daily.unref();
  logger.info({ storeId: settings.storeId }, "billing worker started");
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(daily);
      await worker.stop();
    },
  };
}
