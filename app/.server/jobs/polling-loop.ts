// Runs a queue pass in the background: again at once while passes come back
// full, after gatherMs when they found some work (under a steady trickle, one
// pass per item cost a claim query per item; a short wait lets a batch form),
// otherwise every pollMs. A failed pass (a database outage, say) is logged and
// the next tick tries again. Stopping waits for the pass in progress to finish.
import type { Logger } from "pino";

export type PollingLoop = { stop: () => Promise<void> };

export function startPollingLoop(options: {
  /** One pass over the queue; returns how many items it claimed. */
  pass: () => Promise<{ claimed: number }>;
  /** The most one pass claims: a full pass means more are waiting. */
  batchSize: number;
  logger: Logger;
  failureMessage: string;
  pollMs?: number;
  gatherMs?: number;
}): PollingLoop {
  const pollMs = options.pollMs ?? 1_000;
  const gatherMs = Math.min(options.gatherMs ?? 100, pollMs);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = (async () => {
      let claimed = 0;
      try {
        claimed = (await options.pass()).claimed;
      } catch (error) {
        options.logger.warn({ err: (error as Error).message }, options.failureMessage);
      }
      if (!stopped) timer = setTimeout(tick, claimed >= options.batchSize ? 0 : claimed > 0 ? gatherMs : pollMs);
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
