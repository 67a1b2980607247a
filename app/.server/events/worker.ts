// Outbound events in the background: fan-out of new events into deliveries,
// and delivery, each on the shared polling loop (any number of processes).
import type { Logger } from "pino";
import { startPollingLoop } from "../jobs/polling-loop";
import { deliverDueWebhooks, type WebhookDeliveryDeps } from "./delivery";
import { FANOUT_BATCH, fanOutEvents } from "./fanout";

export type WebhookWorker = { stop: () => Promise<void> };

export function startWebhookWorker(deps: WebhookDeliveryDeps & { pollMs?: number }): WebhookWorker {
  const logger: Logger = deps.logger;
  const fanOut = startPollingLoop({ pass: () => fanOutEvents(deps.db), batchSize: FANOUT_BATCH, logger, failureMessage: "event fan-out pass failed", pollMs: deps.pollMs });
  const delivery = startPollingLoop({ pass: () => deliverDueWebhooks(deps), batchSize: deps.settings.batchSize, logger, failureMessage: "event delivery pass failed", pollMs: deps.pollMs });
  return {
    async stop() {
      await Promise.all([fanOut.stop(), delivery.stop()]);
    },
  };
}


