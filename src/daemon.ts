import type { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { createCursorStore } from './cursor/create-cursor-store.js';
import { CursorMemory } from './cursor/cursor-memory.js';
import { refreshCursorMemory } from './cursor/refresh-cursor-memory.js';
import type { CursorStore, Fence } from './cursor/cursor-store.js';
import type { DeadLetterStore } from './dead-letter/dead-letter-store.js';
import { RedisDeadLetterStore } from './dead-letter/redis-dead-letter-store.js';
import { isWesError, WesError } from './errors.js';
import { startHttpServer, type HttpServer } from './http/server.js';
import { createElector, type Elector } from './leader/elector.js';
import { LeaderLease } from './leader/leader-lease.js';
import { DaemonStatus } from './observability/daemon-status.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { readiness } from './observability/readiness.js';
import { drain, type DrainResult } from './pipeline/drain.js';
import { setStartPosition } from './pipeline/set-start-position.js';
import { createScheduledReconcile } from './reconcile/scheduled-reconcile.js';
import { closeRedis, connectRedis, createRedisClient, REDIS_RECONNECT_MAX_MS } from './redis/redis-client.js';
import { sleep as realSleep, type Sleep } from './retry/sleep.js';
import { createScheduler, type Scheduler } from './schedule/scheduler.js';
import { bindSinks, createSinks } from './sinks/create-sinks.js';
import type { Sink } from './sinks/sink.js';
import { createWebhookDoorbell } from './webhooks/webhook-doorbell.js';
import { apiOptionsFromConfig } from './workos/api-options-from-config.js';
import { createEventsClient, type EventsClient } from './workos/events-client.js';
import { createLocalRateBudget, type RateBudget } from './workos/rate-budget.js';
import { createRedisRateBudget } from './workos/redis-rate-budget.js';

/** A drain that makes no progress for this long makes /healthz fail, so an orchestrator restarts it. */
const STALLED_AFTER_MS = 5 * 60_000;

export interface DaemonOptions {
  readonly config: Config;
  readonly apiKey: string;
  readonly logger: Logger;
  /** Where the stdout sink writes. */
  readonly stdout: Writable;
  /** Called when a drain fails in a way a new tick cannot fix (bad key, refused filter). */
  readonly onFatal?: (err: WesError) => void;
  /** `--accept-filter-change`. */
  readonly acceptFilterChange?: boolean;
  /** `--from <ISO>`: re-read from that time once, then continue with the cursor. */
  readonly from?: string | undefined;
  /** `--reset-cursor`: forget the cursor before starting (the first drain starts from `startFrom`). */
  readonly resetCursor?: boolean;
  /** Serve /healthz, /readyz, /metrics (the `run` command) when the config enables it. */
  readonly serveHttp?: boolean;
  /** WORKOS_WEBHOOK_SECRET: serve the webhook doorbell on the HTTP server. */
  readonly webhookSecret?: string | undefined;
  // Injected in tests: the clock, randomness, sleeps, the HTTP client and the parts.
  readonly now?: () => number;
  readonly random?: () => number;
  readonly sleep?: Sleep;
  readonly fetch?: typeof fetch;
  readonly client?: EventsClient;
  readonly cursorStore?: CursorStore;
  readonly sinks?: readonly Sink[];
  readonly metrics?: Metrics;
}

export interface Daemon {
  readonly cursorStore: CursorStore;
  readonly sinks: readonly Sink[];
  readonly status: DaemonStatus;
  readonly metrics: Metrics;
  /** The health server, once open (when enabled). */
  readonly http: HttpServer | undefined;
  /** Opens Redis, the cursor store, the sinks and the health server. */
  open(): Promise<void>;
  /** One drain now (the `once` command), holding the lease for its duration; throws what the drain threw. */
  drainOnce(): Promise<DrainResult>;
  /** Ticks on the schedule (as leader) until `stop()`. Failures are logged and the next tick tries again. */
  start(): void;
  /** Idempotent: stop ticks, abort waits, let the page in flight finish (within the grace period), close everything. */
  stop(): Promise<void>;
}

/** Composition root below the CLI: config -> Redis -> cursor store, lease, budget -> sinks -> client -> scheduler -> http. */
export function createDaemon(options: DaemonOptions): Daemon {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const metrics = options.metrics ?? createMetrics({ now });
  const redis: Redis | undefined = config.cursor.store === 'redis' ? createRedisClient(config.cursor.url, logger) : undefined;
  const cursorStore = options.cursorStore ?? createCursorStore(config.cursor, logger, redis);
  // The lease runs on the monotonic clock (its default), not the injectable wall clock: a wall clock moved by NTP must not stretch it.
  const lease = redis && config.leader.enabled
    ? new LeaderLease({ redis, key: config.leader.key, ttlMs: config.leader.ttlMs, safetyMarginMs: config.leader.safetyMarginMs })
    : undefined;
  const budgetOptions = { requestsPerMinute: config.rateLimit.requestsPerMinute, ...(config.rateLimit.burst ? { burst: config.rateLimit.burst } : {}), now, sleep };
  const budget: RateBudget = redis && config.rateLimit.shared
    ? createRedisRateBudget({ ...budgetOptions, redis, apiKey: options.apiKey, logger })
    : createLocalRateBudget(budgetOptions);
  const deadLetters: DeadLetterStore | undefined = redis ? new RedisDeadLetterStore(redis, { keyPrefix: config.deadLetter.keyPrefix }) : undefined;
  const sinks = options.sinks ?? createSinks(config.sinks, { logger, stdout: options.stdout });
  const status = new DaemonStatus(metrics, logger, config.cursor.maxAgeDays * 86_400_000, now, lease ? 'standby' : 'single');
  const client = options.client ?? createEventsClient({
    ...apiOptionsFromConfig(config, options.apiKey),
    now,
    budget,
    onResponse: (s) => metrics.observeRequest(s),
    onBudgetWait: (ms) => metrics.observeWait(ms / 1000, 'budget'),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const shutdown = new AbortController();
  /** Sinks whose service was down at start: opened before their first write instead. */
  const unopened = new Set<Sink>();
  const ensureOpen = async (sink: Sink): Promise<void> => {
    if (!unopened.has(sink)) return;
    await sink.open();
    unopened.delete(sink);
    logger.info({ sink: sink.name }, 'sink opened');
  };
  /** The second copy of the cursor, in this process: what a wiped store gets back (see readCursor). */
  const memory = new CursorMemory();
  const deps = {
    ensureOpen, client, cursorStore, sinks: bindSinks(sinks, config.sinks), logger, sleep, now, observer: status, deadLetters, memory,
    ...(lease ? { beforeRequest: () => lease.assertMayWrite() } : {}),
    ...(options.random ? { random: options.random } : {}),
  };
  // Replicas of `run` wait for each other on an empty store: long enough for a standby to reconnect
  // to a restarted Redis and go through a lease round, in which it reads the store and restores its
  // copy. A `once` has no replicas to wait for.
  const runDeps = lease ? { ...deps, peerWaitMs: 2 * config.leader.renewIntervalMs + REDIS_RECONNECT_MAX_MS } : deps;
  const settings = { ...config, acceptFilterChange: options.acceptFilterChange ?? false };
  let scheduler: Scheduler | undefined;
  let elector: Elector | undefined;
  const webhooks = options.webhookSecret && options.serveHttp && config.http.enabled
    ? createWebhookDoorbell({ config, logger, metrics, status, now, redis, secret: options.webhookSecret, trigger: () => scheduler?.trigger(), isPolling: () => !elector || elector.role === 'leader' })
    : undefined;
  // Beside the drains, as leader, within its share of the budget (src/reconcile/scheduled-reconcile.ts).
  const reconcile = config.reconcile.schedule === undefined ? undefined : createScheduledReconcile({
    config, apiKey: options.apiKey, budget, metrics, logger, now, sleep, isLeader: () => !elector || elector.role === 'leader', leadership: () => elector?.leadership });
  let http: HttpServer | undefined;
  let stopping: Promise<void> | undefined;
  /** The drain in flight, from a tick or from `once`: shutdown waits for it within the grace period. */
  let current: Promise<unknown> | undefined;

  const runDrain = (signal: AbortSignal, fence?: Fence, drainDeps = deps): Promise<DrainResult> => {
    const running = drain(drainDeps, settings, signal, fence);
    const settled = running.then(() => undefined, () => undefined);
    current = settled;
    void settled.then(() => {
      if (current === settled) current = undefined;
    });
    return running;
  };

  const tick = async (): Promise<void> => {
    status.beat();
    if (elector && elector.role !== 'leader') return;
    const signal = elector ? AbortSignal.any([shutdown.signal, elector.leadership]) : shutdown.signal;
    try {
      const result = await runDrain(signal, lease?.fence, runDeps);
      status.drainFinished();
      if (result.events > 0) logger.info({ pages: result.pages, events: result.events, cursor: result.cursor?.id ?? null }, 'caught up');
      else logger.debug({ cursor: result.cursor?.id ?? null }, 'no new events');
    } catch (err) {
      status.drainFinished(err as Error);
      if (isWesError(err) && err.code === 'WES_ERR_LEASE_LOST') {
        logger.warn({ code: err.code }, err.message);
        return;
      }
      const fields = isWesError(err) ? { code: err.code, err } : { err };
      logger.error(fields, `drain failed; the cursor stays where it was and the next tick tries again: ${(err as Error).message}`);
      if (isWesError(err) && err.isConfigProblem) options.onFatal?.(err);
    }
  };

  const health = () => {
    const snapshot = status.snapshot();
    const stalled = current !== undefined && now() - snapshot.lastLoopAt > STALLED_AFTER_MS;
    return { ok: !stalled, role: snapshot.role, last_progress_at: new Date(snapshot.lastLoopAt).toISOString(), ...(stalled ? { problem: 'a drain has made no progress for 5 minutes' } : {}) };
  };

  return {
    cursorStore,
    sinks,
    status,
    metrics,
    get http() {
      return http;
    },
    async open() {
      try {
        if (redis) await connectRedis(redis);
        await cursorStore.open();
      } catch (err) {
        // A Redis that is down at start is retried by the drains, like one that goes away later.
        if (isWesError(err) && !err.retryable) throw err;
        logger.warn({ err, store: cursorStore.description }, 'cursor store unreachable at start; will keep trying');
      }
      for (const sink of sinks) {
        try {
          await sink.open();
        } catch (err) {
          // A sink whose service is down at start is retried with its first page, like one that goes away later.
          if (!isWesError(err) || !err.retryable) throw err;
          unopened.add(sink);
          logger.warn({ err, sink: sink.name }, 'sink unreachable at start; will keep trying');
        }
      }
      if (options.resetCursor) {
        await cursorStore.reset();
        logger.warn({ start_from: config.startFrom }, 'cursor reset as asked (--reset-cursor)');
      }
      if (options.from) await setStartPosition(cursorStore, options.from, config, logger, sleep, now());
      if (options.serveHttp && config.http.enabled) {
        http = await startHttpServer({
          host: config.http.host,
          port: config.http.port,
          logger,
          health,
          ready: () => readiness(status.snapshot(), cursorStore, sinks),
          metrics: () => metrics.render(),
          ...(webhooks ? { routes: { [config.webhook.path]: webhooks.endpoint } } : {}),
        });
        await webhooks?.open();
      }
      logger.info({ store: cursorStore.description, sinks: sinks.map((s) => s.name), base_url: config.workos.baseUrl, leader_election: Boolean(lease) }, 'opened');
    },
    async drainOnce() {
      if (!lease) return runDrain(shutdown.signal);
      // A holder that died (SIGKILL, crash) leaves its lease until the TTL runs out: wait that long, no more.
      const deadline = now() + config.leader.ttlMs + config.leader.renewIntervalMs;
      while (!(await lease.acquireOrRenew())) {
        if (now() > deadline || shutdown.signal.aborted) {
          throw new WesError('WES_ERR_LEASE_HELD', `another instance holds the leader lease (${await lease.holder()}); "once" would race it. Stop that instance first`);
        }
        await sleep(config.leader.renewIntervalMs, shutdown.signal);
      }
      const renew = setInterval(() => void lease.acquireOrRenew().catch(() => undefined), config.leader.renewIntervalMs);
      try {
        return await runDrain(shutdown.signal, lease.fence);
      } finally {
        clearInterval(renew);
        await lease.release().catch(() => undefined);
      }
    },
    start() {
      scheduler = createScheduler(config.schedule, tick, logger);
      if (lease) {
        elector = createElector({
          lease,
          intervalMs: config.leader.renewIntervalMs,
          logger,
          onElected: () => scheduler?.trigger(),
          onRoleChange: (role) => status.setRole(role),
          onStandbyRound: () => refreshCursorMemory({ store: cursorStore, memory, logger, onRestored: () => status.cursorRestored('standby') }),
        });
        elector.start();
      }
      scheduler.start();
      reconcile?.start();
      logger.info({ schedule: config.schedule }, 'started');
    },
    stop() {
      stopping ??= (async () => {
        await scheduler?.stop();
        shutdown.abort();
        await reconcile?.stop();
        const inFlight = current;
        if (inFlight) {
          const grace = new Promise<'timeout'>((resolve) => setTimeout(resolve, config.shutdownGraceMs, 'timeout').unref());
          const outcome = await Promise.race([inFlight.then(() => 'done' as const), grace]);
          if (outcome === 'timeout') logger.warn({ graceMs: config.shutdownGraceMs }, 'the page in flight did not finish in time; abandoning it uncommitted');
        }
        // Released only now, so that the standby cannot start before the page in flight was committed.
        await elector?.stop();
        await webhooks?.close();
        await budget.close();
        for (const sink of sinks) await sink.close().catch((err: unknown) => logger.warn({ err, sink: sink.name }, 'sink did not close cleanly'));
        await cursorStore.close().catch((err: unknown) => logger.warn({ err }, 'cursor store did not close cleanly'));
        if (redis) await closeRedis(redis);
        await http?.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
