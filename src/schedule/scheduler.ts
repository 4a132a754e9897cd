import cron from 'node-cron';
import type { Logger } from 'pino';

export interface Scheduler {
  /** Starts ticking; the first drain runs at once rather than after the first interval. */
  start(): void;
  /** A drain now (the doorbell: becoming leader, later a webhook), unless one is already running. */
  trigger(): void;
  /** Stops future ticks (the drain in flight, if any, is the caller's to wait for). */
  stop(): Promise<void>;
}

/**
 * Cron ticks that never overlap: a tick that comes while the previous drain still runs is
 * skipped (the running drain is already catching up), and logged at debug.
 */
export function createScheduler(expression: string, onTick: () => Promise<void>, logger: Logger): Scheduler {
  let inFlight: Promise<void> | undefined;
  let stopped = false;
  const tick = (): void => {
    if (stopped) return;
    if (inFlight) {
      logger.debug('tick skipped: the previous drain is still running');
      return;
    }
    inFlight = onTick().finally(() => {
      inFlight = undefined;
    });
  };
  const task = cron.createTask(expression, tick, { name: 'workos-events-sync drain' });
  return {
    start() {
      stopped = false;
      void task.start();
      tick();
    },
    trigger: tick,
    async stop() {
      stopped = true;
      await task.stop();
      await task.destroy();
    },
  };
}
