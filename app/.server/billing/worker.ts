// Billing webhook events applied in the background, on the shared polling loop.
import { startPollingLoop, type PollingLoop } from "../jobs/polling-loop";
import { applyDueWebhookEvents, DEFAULT_WEBHOOK_WORKER, type WebhookWorkerDeps } from "./events";

export type BillingWorker = PollingLoop;

export function startBillingWorker(deps: WebhookWorkerDeps & { pollMs?: number }): BillingWorker {
  return startPollingLoop({ pass: () => applyDueWebhookEvents(deps), batchSize: deps.worker?.batchSize ?? DEFAULT_WEBHOOK_WORKER.batchSize, logger: deps.logger, failureMessage: "billing webhook pass failed", pollMs: deps.pollMs });
}
