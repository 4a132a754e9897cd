import cron from 'node-cron';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../observability/metrics.js';
import type { Sleep } from '../retry/sleep.js';
import { apiOptionsFromConfig } from '../workos/api-options-from-config.js';
import type { RateBudget } from '../workos/rate-budget.js';
import { createWorkOSApi } from '../workos/workos-api.js';
import { mirrorSinkOf } from './mirror-sink-of.js';
import { reconcileMirror, type ReconcileReport } from './reconcile-mirror.js';
import { shareOfBudget } from './share-of-budget.js';

export interface ScheduledReconcileOptions {
  readonly config: Config;
  readonly apiKey: string;
  /** The daemon's budget: the reconciliation takes its share of it (reconcile.requestsPerMinute). */
  readonly budget: RateBudget;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly now: () => number;
  readonly sleep: Sleep;
  /** Only the leader reconciles: the standbys would only add requests. */
  readonly isLeader: () => boolean;
  /** Aborted when leadership is lost (undefined without leader election). */
  readonly leadership: () => AbortSignal | undefined;
}

export interface ScheduledReconcile {
  /** Starts the cron task; the first run comes at the first tick, not at start. */
  start(): void;
  /** One run now, unless one is in progress or this instance is not the leader (then undefined). */
  runNow(): Promise<ReconcileReport | undefined>;
  /** Stops ticking, aborts the run in progress and waits for it to end; closes its pool. */
  stop(): Promise<void>;
}

/**
 * `reconcile.schedule`: WorkOS's periodic reconciliation, run by the leader beside the drains.
 * Never two at once (a tick during a run is skipped), never in the drains' way: its requests
 * take its share of the daemon's budget, its rows go through a pool of its own, and a fix
 * changes a row only if no event changed it since it was read. Each run logs its outcome and
 * sets the reconcile metrics; a failed run is logged and the next tick tries again.
 */
export function createScheduledReconcile(options: ScheduledReconcileOptions): ScheduledReconcile {
  const { config, logger, metrics, now } = options;
  const settings = config.reconcile;
  const mirror = mirrorSinkOf(config, settings.sink, 'reconcile.schedule');
  const budget = shareOfBudget(options.budget, settings.requestsPerMinute ?? Math.max(1, Math.floor(config.rateLimit.requestsPerMinute / 2)), options);
  const api = createWorkOSApi({ ...apiOptionsFromConfig(config, options.apiKey), budget, now });
  const pool = new pg.Pool({ connectionString: mirror.url, max: 1, connectionTimeoutMillis: mirror.connectTimeoutMs });
  pool.on('error', (err) => logger.warn({ err }, 'reconcile: the mirror connection failed; the next run reconnects'));
  const shutdown = new AbortController();
  let running: Promise<ReconcileReport | undefined> | undefined;
  let task: ReturnType<typeof cron.createTask> | undefined;

  const run = async (): Promise<ReconcileReport | undefined> => {
    const started = now();
    const leadership = options.leadership();
    const signal = leadership ? AbortSignal.any([shutdown.signal, leadership]) : shutdown.signal;
    metrics.reconcile.running.set(1);
    try {
      const report = await reconcileMirror({
        api, pool, schema: mirror.schema, fix: settings.fix, now,
        retry: { maxAttempts: config.retry.maxAttempts, backoff: config.retry, logger, sleep: options.sleep, signal },
      });
      for (const t of report.tables) {
        metrics.reconcile.differences.set({ table: t.table }, t.differing);
        if (t.fixed > 0) metrics.reconcile.fixed.inc({ table: t.table }, t.fixed);
      }
      const result = report.differing === 0 ? 'matched' : settings.fix && report.unfixed === 0 ? 'fixed' : 'differed';
      metrics.reconcile.runs.inc({ result });
      const differing = Object.fromEntries(report.tables.filter((t) => t.differing > 0).map((t) => [t.table, t.differing]));
      const fields = { result, differing, skipped: report.tables.filter((t) => t.skipped).map((t) => t.table), durationMs: now() - started };
      if (result === 'matched') logger.info(fields, 'reconcile: the mirror matches WorkOS');
      else logger.warn({ ...fields, first: report.shown.slice(0, 10) }, settings.fix ? 'reconcile: the mirror differed from WorkOS; fixed what no event changed meanwhile' : 'reconcile: the mirror differs from WorkOS');
      return report;
    } catch (err) {
      metrics.reconcile.runs.inc({ result: 'failed' });
      if (signal.aborted) logger.info('reconcile: stopped before the end (shutdown or lost leadership)');
      else logger.error({ err }, `reconcile failed; the next scheduled run tries again: ${(err as Error).message}`);
      return undefined;
    } finally {
      metrics.reconcile.running.set(0);
      metrics.reconcile.lastRunTimestampSeconds.set(now() / 1000);
      metrics.reconcile.lastRunDurationSeconds.set((now() - started) / 1000);
    }
  };

  const runNow = (): Promise<ReconcileReport | undefined> => {
    if (running || shutdown.signal.aborted || !options.isLeader()) return Promise.resolve(undefined);
    const current = run().finally(() => {
      running = undefined;
    });
    running = current;
    return current;
  };

  return {
    start() {
      task = cron.createTask(settings.schedule ?? '0 0 * * *', () => {
        if (running) logger.debug('reconcile: tick skipped, the previous run is still going');
        void runNow();
      }, { name: 'workos-events-sync reconcile' });
      void task.start();
      logger.info({ schedule: settings.schedule, fix: settings.fix, sink: mirror.name ?? 'postgres_mirror' }, 'reconcile scheduled');
    },
    runNow,
    async stop() {
      shutdown.abort();
      await task?.stop();
      await task?.destroy();
      await running;
      await budget.close();
      await pool.end();
    },
  };
}
