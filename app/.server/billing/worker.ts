// Runs webhook passes in the background: right away while a pass finds work,
// otherwise every pollMs. Stopping waits for the pass in progress.
import { applyDueWebhookEvents, type WebhookWorkerDeps } from "./events";

export type BillingWorker = { stop: () => Promise<void> };

export function startBillingWorker(deps: WebhookWorkerDeps & { pollMs?: number }): BillingWorker {
  const pollMs = deps.pollMs ?? 1_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = (async () => {
      let busy = false;
      try {
        const pass = await applyDueWebhookEvents(deps);
        busy = pass.claimed > 0;
      } catch (error) {
        // A database outage is expected to pass; the next tick tries again.
        deps.logger.warn({ err: (error as Error).message }, "billing webhook pass failed");
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
    },
  };
}
