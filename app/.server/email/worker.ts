// Email delivery in the background, on the shared polling loop.
import { startPollingLoop } from "../jobs/polling-loop";
import { deliverDueEmails, type DeliveryDeps } from "./delivery";

export type EmailWorker = { stop: () => Promise<void> };

export function startEmailWorker(deps: DeliveryDeps & { pollMs?: number }): EmailWorker {
  const loop = startPollingLoop({ pass: () => deliverDueEmails(deps), batchSize: deps.settings.batchSize, logger: deps.logger, failureMessage: "email delivery pass failed", pollMs: deps.pollMs });
  return {
    async stop() {
      await loop.stop();
      await deps.transport.close?.();
    },
  };
}
