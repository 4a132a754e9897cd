import type { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { createCursorStore } from './cursor/create-cursor-store.js';
import { CursorMemory } from './cursor/cursor-memory.js';
import type { CursorStore } from './cursor/cursor-store.js';
import { refreshCursorMemory } from './cursor/refresh-cursor-memory.js';
import { RedisDeadLetterStore } from './dead-letter/redis-dead-letter-store.js';
import { isWesError, WesError } from './errors.js';
import { startHttpServer, type HttpServer } from './http/server.js';
import { createElector, type Elector } from './leader/elector.js';
import { LeaderLease } from './leader/leader-lease.js';
import { Releasers } from './lifecycle/releasers.js';
import { DaemonStatus } from './observability/daemon-status.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { readiness } from './observability/readiness.js';
import { silentMetrics } from './observability/silent-metrics.js';
import { laneConfigsOf } from './pipeline/lane-configs.js';
import { createPipeline, type DrainResult, type Pipeline } from './pipeline/pipeline.js';
import type { PipelineObserver } from './pipeline/pipeline-observer.js';
import { movePositions, setStartPosition, targetSinks } from './pipeline/set-start-position.js';
import type { createScheduledReconcile } from './reconcile/scheduled-reconcile.js';
import { closeRedis, connectRedis, createRedisClient, REDIS_RECONNECT_MAX_MS } from './redis/redis-client.js';
import { Retrier } from './retry/retrier.js';
import { sleep as realSleep, type Sleep } from './retry/sleep.js';
import { createScheduler, type Scheduler } from './schedule/scheduler.js';
import { createSinks } from './sinks/create-sinks.js';
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
  /** `--sink NAME`: `from` and `resetCursor` move only that sink. */
  readonly sink?: string | undefined;
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
  readonly pipeline: Pipeline;
  /** The health server, once open (when enabled). */
  readonly http: HttpServer | undefined;
  /** Opens Redis, the cursor store, the sinks and the health server, in that order. */
  open(): Promise<void>;
  /** One drain of every sink now (the `once` command), holding the lease for its duration; throws what a sink's drain threw. */
  drainOnce(): Promise<DrainResult>;
  /** Ticks on the schedule (as leader) until `stop()`. A sink's failure is logged and it tries again after a backoff. */
  start(): void;
  /** Idempotent: stop ticks, abort waits, let the pages in flight finish (within the grace period), close in reverse order. */
  stop(): Promise<void>;
}

/** Composition root below the CLI: everything is built once here, and opened in `open()` in order. */
export function createDaemon(options: DaemonOptions): Daemon {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  // Only a process that serves /metrics collects them.
  const metrics = options.metrics ?? (options.serveHttp && config.http.enabled ? createMetrics({ now }) : silentMetrics());
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
  const sinks = options.sinks ?? createSinks(config.sinks, { logger, stdout: options.stdout });
  const status = new DaemonStatus(metrics, logger, config.cursor.maxAgeDays * 86_400_000, now, lease ? 'standby' : 'single', sinks.map((s) => s.name));
  const client = options.client ?? createEventsClient({
    ...apiOptionsFromConfig(config, options.apiKey),
    now,
    budget,
    onResponse: (s) => metrics.observeRequest(s),
    onBudgetWait: (ms) => metrics.observeWait(ms / 1000, 'budget'),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const retrier = new Retrier({ retry: config.retry, logger, sleep, random: options.random, onWait: (operation, ms, rateLimited) => status.retried(operation, ms, rateLimited) });
  const shutdown = new AbortController();
  let scheduler: Scheduler | undefined;
  let elector: Elector | undefined;
  const webhooks = options.webhookSecret && options.serveHttp && config.http.enabled
    ? createWebhookDoorbell({ config, logger, metrics, now, redis, secret: options.webhookSecret, trigger: () => scheduler?.trigger(), isPolling: () => !elector || elector.role === 'leader' })
    : undefined;
  const fatal: PipelineObserver = {
    laneFinished: (_sink, err) => {
      if (err && isWesError(err) && err.isConfigProblem) options.onFatal?.(err);
    },
  };
  /** The second copy of the positions, in this process: what a wiped store gets back (see readPositions). */
  const memory = new CursorMemory();
  const pipeline = createPipeline({
    settings: config,
    lanes: laneConfigsOf(sinks, config),
    client,
    store: cursorStore,
    retrier,
    observers: [status, fatal, ...(webhooks ? [{ committed: (_sink: string, events: Parameters<typeof webhooks.delivered>[0]) => webhooks.delivered(events) }] : [])],
    logger,
    now,
    sleep,
    random: options.random,
    deadLetters: redis ? new RedisDeadLetterStore(redis, { keyPrefix: config.deadLetter.keyPrefix }) : undefined,
    memory,
    acceptFilterChange: options.acceptFilterChange ?? false,
    beforeRequest: lease ? () => lease.assertMayWrite() : undefined,
    // Replicas of `run` wait for each other on an empty store: long enough for a standby to reconnect
    // to a restarted Redis and go through a lease round, in which it reads the store and restores its copy.
    peerWaitMs: lease ? 2 * config.leader.renewIntervalMs + REDIS_RECONNECT_MAX_MS : 0,
  });
  const releasers = new Releasers(logger);
  // Beside the drains, as leader, within its share of the budget; loaded in open() when scheduled (it brings pg).
  let reconcile: ReturnType<typeof createScheduledReconcile> | undefined;
  let http: HttpServer | undefined;
  let stopping: Promise<void> | undefined;
  let onceInFlight: Promise<unknown> | undefined;
  /** What shutdown waits for, within the grace period: the pages in flight, from ticks or from `once`. */
  const drainsInFlight = async () => {
    if (!pipeline.busy && !onceInFlight) return;
    const settled = Promise.all([pipeline.settled(), onceInFlight]).then(() => 'done' as const);
    const grace = new Promise<'timeout'>((resolve) => setTimeout(resolve, config.shutdownGraceMs, 'timeout').unref());
    if ((await Promise.race([settled, grace])) === 'timeout') logger.warn({ graceMs: config.shutdownGraceMs }, 'the pages in flight did not finish in time; abandoning them uncommitted');
  };

  const tick = async (): Promise<void> => {
    status.beat();
    if (elector && elector.role !== 'leader') return;
    const signal = elector ? AbortSignal.any([shutdown.signal, elector.leadership]) : shutdown.signal;
    pipeline.trigger(signal, lease?.fence);
  };

  const health = () => {
    const snapshot = status.snapshot();
    const stalled = pipeline.busy && now() - snapshot.lastLoopAt > STALLED_AFTER_MS;
    return { ok: !stalled, role: snapshot.role, last_progress_at: new Date(snapshot.lastLoopAt).toISOString(), ...(stalled ? { problem: 'a drain has made no progress for 5 minutes' } : {}) };
  };

  const openSinks = async () => {
    for (const sink of sinks) {
      releasers.add(`sink ${sink.name}`, () => sink.close());
      try {
        // At start, so that what a person must fix (credentials, a schema) stops the daemon at once.
        await sink.open();
      } catch (err) {
        // A sink whose service is down at start opens with its first write (the contract), like one that goes away later.
        if (!isWesError(err) || !err.retryable) throw err;
        logger.warn({ err, sink: sink.name }, 'sink unreachable at start; will keep trying');
      }
    }
  };

  return {
    cursorStore,
    sinks,
    status,
    metrics,
    pipeline,
    get http() {
      return http;
    },
    async open() {
      if (redis) releasers.add('redis', () => closeRedis(redis));
      releasers.add('cursor store', () => cursorStore.close());
      try {
        if (redis) await connectRedis(redis);
        await cursorStore.open();
      } catch (err) {
        // A Redis that is down at start is retried by the drains, like one that goes away later.
        if (isWesError(err) && !err.retryable) throw err;
        logger.warn({ err, store: cursorStore.description }, 'cursor store unreachable at start; will keep trying');
      }
      releasers.add('rate budget', () => budget.close());
      if (config.reconcile.schedule !== undefined) {
        const { createScheduledReconcile } = await import('./reconcile/scheduled-reconcile.js');
        reconcile = createScheduledReconcile({
          config, apiKey: options.apiKey, budget, metrics, logger, now, sleep, isLeader: () => !elector || elector.role === 'leader', leadership: () => elector?.leadership });
      }
      await openSinks();
      if (options.resetCursor) {
        const targets = targetSinks(sinks, options.sink);
        await movePositions(cursorStore, targets, null, options.sink === undefined);
        logger.warn({ sinks: targets.map((s) => s.name) }, 'cursor reset as asked (--reset-cursor): these sinks start from their "startFrom"');
      }
      if (options.from) await setStartPosition(cursorStore, sinks, options.from, options.sink, config, logger, retrier, now());
      if (options.serveHttp && config.http.enabled) {
        http = await startHttpServer({
          host: config.http.host,
          port: config.http.port,
          logger,
          health,
          ready: () => readiness(status.snapshot(), cursorStore, sinks, now()),
          metrics: () => metrics.render(),
          ...(webhooks ? { routes: { [config.webhook.path]: webhooks.endpoint } } : {}),
        });
        releasers.add('http server', () => http?.close());
        if (webhooks) {
          releasers.add('webhook doorbell', () => webhooks.close());
          await webhooks.open();
        }
      }
      releasers.add('pages in flight', drainsInFlight);
      logger.info({ store: cursorStore.description, sinks: sinks.map((s) => s.name), base_url: config.workos.baseUrl, leader_election: Boolean(lease) }, 'opened');
    },
    async drainOnce() {
      const run = async (): Promise<DrainResult> => {
        if (!lease) return pipeline.drainOnce(shutdown.signal);
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
          return await pipeline.drainOnce(shutdown.signal, lease.fence);
        } finally {
          clearInterval(renew);
          await lease.release().catch(() => undefined);
        }
      };
      const running = run();
      onceInFlight = running.catch(() => undefined);
      return running;
    },
    start() {
      if (lease) {
        elector = createElector({
          lease,
          intervalMs: config.leader.renewIntervalMs,
          logger,
          onElected: () => scheduler?.trigger(),
          onRoleChange: (role) => status.setRole(role),
          onStandbyRound: () => refreshCursorMemory({ store: cursorStore, memory, logger, onRestored: () => status.cursorRestored('standby') }),
        });
        // Released after the pages in flight were committed, so that the standby cannot start before.
        releasers.add('leader lease', () => elector?.stop());
        elector.start();
      }
      releasers.add('pages in flight', drainsInFlight);
      if (reconcile) releasers.add('scheduled reconcile', () => reconcile?.stop());
      scheduler = createScheduler(config.schedule, tick, logger);
      releasers.add('schedule', async () => {
        await scheduler?.stop();
        shutdown.abort();
      });
      scheduler.start();
      reconcile?.start();
      logger.info({ schedule: config.schedule }, 'started');
    },
    stop() {
      stopping ??= (async () => {
        // Before the releasers: nothing may wait out a backoff or a Retry-After during shutdown.
        if (!scheduler) shutdown.abort();
        await releasers.releaseAll();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
