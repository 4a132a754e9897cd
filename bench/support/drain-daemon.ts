import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon } from '../../src/daemon.js';
import { createLogger } from '../../src/observability/logger.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import type { Sink } from '../../src/sinks/sink.js';
import { rateBudgetKey } from '../../src/workos/redis-rate-budget.js';
import { cpuMsSince, type LoopResult } from './sdk-loop.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface DaemonDrainOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** The jsonl sink writes here (figure 1)... */
  readonly jsonlPath?: string;
  /** ...or these sinks are injected instead (figure 2's slow sink). */
  readonly sinks?: readonly Sink[];
  /** Requests the drain will make: the budget's burst is set above it, so the budget never waits (figure 6 accounts for it). */
  readonly requests: number;
  /** The rate budget in Redis (the default, one round trip per request) or this process's own. */
  readonly sharedBudget?: boolean;
}

/** Discards what it is given: the log lines are produced (and redacted) as in production, then dropped. */
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
let metrics: Metrics | undefined;

/**
 * One full drain (`drainOnce`) by the real daemon: Redis cursor (a fresh key, deleted after), the
 * leader lease and the shared rate budget in Redis, `info` logs, default retries. Only the drain
 * is measured (time and CPU), not opening and closing.
 */
export async function drainWithDaemon(options: DaemonDrainOptions): Promise<LoopResult> {
  const run = `wes-bench:${randomUUID()}`;
  const rateKey = rateBudgetKey(options.apiKey);
  const admin = new Redis(REDIS_URL);
  // A full bucket for every run: a previous run's tokens must not slow this one.
  await admin.del(rateKey, `${rateKey}:blocked`);
  const config = parseConfig({
    workos: { baseUrl: options.baseUrl },
    cursor: { store: 'redis', url: REDIS_URL, key: `${run}:cursor` },
    leader: { key: `${run}:leader` },
    rateLimit: { requestsPerMinute: 6000, burst: options.requests + 10, shared: options.sharedBudget ?? true },
    http: { enabled: false },
    sinks: [options.jsonlPath ? { type: 'jsonl', path: options.jsonlPath } : { type: 'stdout' }],
  }, {});
  // The same pino setup as the CLI (redaction, secret scrubbing), writing to nowhere.
  const logger = createLogger({ level: 'info', secrets: [options.apiKey], destination: discard });
  // One registry for every run in this process: each default-metrics collector keeps observers alive.
  metrics ??= createMetrics();
  const daemon = createDaemon({ config, apiKey: options.apiKey, logger, stdout: discard, metrics, ...(options.sinks ? { sinks: options.sinks } : {}) });
  try {
    await daemon.open();
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await daemon.drainOnce();
    const seconds = (performance.now() - started) / 1000;
    return { events: result.events, pages: result.pages, seconds, cpuMs: cpuMsSince(cpu) };
  } finally {
    await daemon.stop();
    await admin.del(`${run}:cursor`, `${run}:leader`, rateKey, `${rateKey}:blocked`);
    await admin.quit();
  }
}
