import cron from 'node-cron';
import type { Logger } from 'pino';

export interface Scheduler {
  /** Starts ticking; the first drain runs at once rather than after the first interval. */
  start(): void;
  /**
   * A drain now (the doorbell: a webhook, becoming leader). While one runs, at most one more is
   * queued behind it, so a burst of calls costs one drain in flight plus one.
   */
  trigger(): void;
  /** Stops future ticks (the drain in flight, if any, is the caller's to wait for). */
  stop(): Promise<void>;
}

/**
 * Cron ticks that never overlap: a tick that comes while the previous drain still runs is
 * skipped (the running drain is already catching up), and logged at debug. A trigger is queued
 * instead, because the drain in flight may already have read past the event that rang.
 */
export function createScheduler(expression: string, onTick: () => Promise<void>, logger: Logger): Scheduler {
  let inFlight: Promise<void> | undefined;
  let queued = false;
  let stopped = false;
  /** Ticks node-cron could not run on time (the process was paused or its event loop blocked). */
  let missed = 0;
  const run = (): void => {
    if (missed > 0) {
      logger.warn({ missed_ticks: missed }, 'schedule ticks were missed (the process was paused or its event loop blocked); draining now');
      missed = 0;
    }
    inFlight = onTick().finally(() => {
      inFlight = undefined;
      if (queued && !stopped) {
        queued = false;
        run();
      }
    });
  };
  const tick = (): void => {
    if (stopped) return;
    if (inFlight) {
      logger.debug('tick skipped: the previous drain is still running');
      return;
    }
    run();
  };
  // node-cron prints its own coloured lines on stderr, which must carry only the daemon's pino JSON:
  // its messages go through pino, and missed ticks (one line each after a pause) are summed above.
  const cronLogger = logger.child({ component: 'node-cron' });
  const task = cron.createTask(expression, tick, {
    name: 'workos-events-sync drain',
    logger: {
      info: (message: string) => cronLogger.debug(message),
      debug: (message: string | Error, err?: unknown) => cronLogger.debug({ err }, String(message)),
      warn: (message: string) => cronLogger.warn(message),
      error: (message: string | Error, err?: unknown) => cronLogger.error({ err: err ?? message }, String(message)),
    },
  });
  task.on('execution:missed', () => {
    missed++;
  });
  return {
    start() {
      stopped = false;
      void task.start();
      tick();
    },
    trigger() {
      if (stopped) return;
      if (inFlight) queued = true;
      else run();
    },
    async stop() {
      stopped = true;
      queued = false;
      await task.stop();
      await task.destroy();
    },
  };
}
