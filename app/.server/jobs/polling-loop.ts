// Runs a queue pass in the background: again at once while passes find work,
// otherwise every pollMs. A failed pass (a database outage, say) is logged and
// the next tick tries again. Stopping waits for the pass in progress to finish.
import type { Logger } from "pino";

export type PollingLoop = { stop: () => Promise<void> };

export function startPollingLoop(options: {
  /** One pass over the queue; returns how many items it claimed. */
  pass: () => Promise<{ claimed: number }>;
  logger: Logger;
  failureMessage: string;
  pollMs?: number;
}): PollingLoop {
  const pollMs = options.pollMs ?? 1_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = (async () => {
      let busy = false;
      try {
        busy = (await options.pass()).claimed > 0;
      } catch (error) {
        options.logger.warn({ err: (error as Error).message }, options.failureMessage);
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
