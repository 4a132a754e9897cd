import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { createCursorStore } from './cursor/create-cursor-store.js';
import type { CursorStore } from './cursor/cursor-store.js';
import { isWesError, WesError } from './errors.js';
import { drain, type DrainResult } from './pipeline/drain.js';
import { sleep as realSleep, type Sleep } from './retry/sleep.js';
import { createScheduler, type Scheduler } from './schedule/scheduler.js';
import { createSinks } from './sinks/create-sinks.js';
import type { Sink } from './sinks/sink.js';
import { createEventsClient, type EventsClient } from './workos/events-client.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly apiKey: string;
  readonly logger: Logger;
  /** Where the stdout sink writes. */
  readonly stdout: Writable;
  /** Called when a drain fails in a way a new tick cannot fix (bad key, refused filter). */
  readonly onFatal?: (err: WesError) => void;
  // Injected in tests: the clock, randomness, sleeps and the HTTP client.
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  readonly fetch?: typeof fetch;
  readonly client?: EventsClient;
  readonly cursorStore?: CursorStore;
  readonly sinks?: readonly Sink[];
}

export interface Daemon {
  readonly cursorStore: CursorStore;
  readonly sinks: readonly Sink[];
  /** Opens the cursor store and the sinks. */
  open(): Promise<void>;
  /** One drain now (the `once` command); throws what the drain threw. */
  drainOnce(): Promise<DrainResult>;
  /** Ticks on the schedule until `stop()`. Failures are logged and the next tick tries again. */
  start(): void;
  /** Idempotent: stop ticks, abort waits, let the page in flight finish (within the grace period), close everything. */
  stop(): Promise<void>;
}

/** Composition root below the CLI: config -> cursor store -> sinks -> client -> scheduler. */
export function createDaemon(options: DaemonOptions): Daemon {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const cursorStore = options.cursorStore ?? createCursorStore(config.cursor, logger);
  const sinks = options.sinks ?? createSinks(config.sinks, { logger, stdout: options.stdout });
  const client = options.client ?? createEventsClient({
    apiKey: options.apiKey,
    baseUrl: config.workos.baseUrl,
    timeoutMs: config.workos.timeoutMs,
    retryAfter: { defaultMs: config.retry.defaultRetryAfterMs, maxMs: config.retry.maxRetryAfterMs },
    now,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const shutdown = new AbortController();
  const deps = { client, cursorStore, sinks, logger, sleep, now, ...(options.random ? { random: options.random } : {}) };
  let scheduler: Scheduler | undefined;
  let stopping: Promise<void> | undefined;
  /** The drain in flight, from a tick or from `once`: shutdown waits for it within the grace period. */
  let current: Promise<unknown> | undefined;

  const runDrain = (): Promise<DrainResult> => {
    const running = drain(deps, config, shutdown.signal);
    const settled = running.then(() => undefined, () => undefined);
    current = settled;
    void settled.then(() => {
      if (current === settled) current = undefined;
    });
    return running;
  };

  const tick = async (): Promise<void> => {
    try {
      const result = await runDrain();
      if (result.events > 0) logger.info({ pages: result.pages, events: result.events, cursor: result.cursor?.id ?? null }, 'caught up');
      else logger.debug({ cursor: result.cursor?.id ?? null }, 'no new events');
    } catch (err) {
      const fields = isWesError(err) ? { code: err.code, err } : { err };
      logger.error(fields, `drain failed; the cursor stays where it was and the next tick tries again: ${(err as Error).message}`);
      if (isWesError(err) && err.isConfigProblem) options.onFatal?.(err);
    }
  };

  return {
    cursorStore,
    sinks,
    async open() {
      try {
        await cursorStore.open();
      } catch (err) {
        // A cursor store that is down at start is retried by the first drain, like one that goes away later.
        if (!isWesError(err) || !err.retryable) throw err;
        logger.warn({ err, store: cursorStore.description }, 'cursor store unreachable at start; will keep trying');
      }
      for (const sink of sinks) await sink.open();
      logger.info({ store: cursorStore.description, sinks: sinks.map((s) => s.name), base_url: config.workos.baseUrl }, 'opened');
    },
    drainOnce: runDrain,
    start() {
      scheduler = createScheduler(config.schedule, tick, logger);
      scheduler.start();
      logger.info({ schedule: config.schedule }, 'started');
    },
    stop() {
      stopping ??= (async () => {
        await scheduler?.stop();
        shutdown.abort();
        const inFlight = current;
        if (inFlight) {
          const grace = new Promise<'timeout'>((resolve) => setTimeout(resolve, config.shutdownGraceMs, 'timeout').unref());
          const outcome = await Promise.race([inFlight.then(() => 'done' as const), grace]);
          if (outcome === 'timeout') logger.warn({ graceMs: config.shutdownGraceMs }, 'the page in flight did not finish in time; abandoning it uncommitted');
        }
        for (const sink of sinks) await sink.close().catch((err: unknown) => logger.warn({ err, sink: sink.name }, 'sink did not close cleanly'));
        await cursorStore.close().catch((err: unknown) => logger.warn({ err }, 'cursor store did not close cleanly'));
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
