// Billing webhook events applied in the background, on the shared polling loop.
import { startPollingLoop, type PollingLoop } from "../jobs/polling-loop";
import { applyDueWebhookEvents, type WebhookWorkerDeps } from "./events";

export type BillingWorker = PollingLoop;

export function startBillingWorker(deps: WebhookWorkerDeps & { pollMs?: number }): BillingWorker {
  return startPollingLoop({ pass: () => applyDueWebhookEvents(deps), logger: deps.logger, failureMessage: "billing webhook pass failed", pollMs: deps.pollMs });
}
