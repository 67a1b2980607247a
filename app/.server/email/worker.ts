// Runs delivery passes in the background: right away when a pass found work,
// otherwise every pollMs. Stopping waits for the pass in progress to finish.
import type { Logger } from "pino";
import { deliverDueEmails, type DeliveryDeps } from "./delivery";

export type EmailWorker = { stop: () => Promise<void> };

export function startEmailWorker(deps: DeliveryDeps & { pollMs?: number }): EmailWorker {
  const pollMs = deps.pollMs ?? 1_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = (async () => {
      let busy = false;
      try {
        const pass = await deliverDueEmails(deps);
        busy = pass.claimed > 0;
      } catch (error) {
        logFailure(deps.logger, error);
      }
      if (!stopped) timer = setTimeout(tick, busy ? 0 : pollMs);
    })();
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await deps.transport.close?.();
    },
  };
}

function logFailure(logger: Logger, error: unknown) {
  // A database outage is expected to pass; the next tick tries again.
  logger.warn({ err: (error as Error).message }, "email delivery pass failed");
}
