import { PassThrough } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.js';
import { createDaemon } from '../../src/daemon.js';
import { createMetrics, type Metrics } from '../../src/observability/metrics.js';
import type { DrainResult } from '../../src/pipeline/pipeline.js';
import { createSinks } from '../../src/sinks/create-sinks.js';
import type { Sink } from '../../src/sinks/sink.js';
import { rateBudgetKey } from '../../src/workos/redis-rate-budget.js';
import { REDIS_URL } from './drain-daemon.js';

export interface DeploymentDrainOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  /** Prefix of the deployment's Redis keys: the same prefix is the same deployment (its cursors survive the drain). */
  readonly deployment: string;
  /** The config's `sinks` entries, each with a `name`. */
  readonly sinks: ReadonlyArray<Record<string, unknown> & { readonly name: string }>;
  /** Sinks injected in place of the configured one of the same name (a slow sink, one that keeps what it got). */
  readonly replace?: readonly Sink[];
  /** The budget's burst is set above this, so the budget never waits (requests are counted, not timed)... */
  readonly requests: number;
  /** ...unless this is set: the config's default budget (600 requests a minute, a burst of 50). */
  readonly defaultBudget?: boolean;
}

let metrics: Metrics | undefined;

/**
 * One `once` (drainOnce) of a deployment by the real daemon, with the Redis cursor under
 * `<deployment>:cursor` (each sink's position in its hash), the leader lease and the shared rate
 * budget in Redis. The keys are kept, so a later drain of the same deployment, with more sinks or
 * fewer, starts where this one left each sink; forgetDeployment deletes them.
 */
export async function drainDeployment(options: DeploymentDrainOptions): Promise<DrainResult> {
  const rateKey = rateBudgetKey(options.apiKey);
  const admin = new Redis(REDIS_URL);
  await admin.del(rateKey, `${rateKey}:blocked`);
  const config = parseConfig({
    workos: { baseUrl: options.baseUrl },
    cursor: { store: 'redis', url: REDIS_URL, key: `${options.deployment}:cursor` },
    leader: { key: `${options.deployment}:leader` },
    ...(options.defaultBudget ? {} : { rateLimit: { requestsPerMinute: 6000, burst: options.requests + 10 } }),
    http: { enabled: false },
    sinks: options.sinks,
  }, {});
  // Warnings and errors (a sink's failure, a retried request) stay visible: they would explain a figure.
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const configured = createSinks(config.sinks, { logger, stdout: new PassThrough() });
  const sinks = configured.map((sink) => options.replace?.find((s) => s.name === sink.name) ?? sink);
  // One registry for every drain in this process: each default-metrics collector keeps observers alive.
  metrics ??= createMetrics();
  const daemon = createDaemon({ config, apiKey: options.apiKey, logger, stdout: new PassThrough(), metrics, sinks });
  try {
    await daemon.open();
    return await daemon.drainOnce();
  } finally {
    await daemon.stop();
    await admin.del(rateKey, `${rateKey}:blocked`);
    await admin.quit();
  }
}

/** Deletes every Redis key of a deployment drained with drainDeployment. */
export async function forgetDeployment(deployment: string): Promise<void> {
  const admin = new Redis(REDIS_URL);
  try {
    await admin.del(`${deployment}:cursor`, `${deployment}:cursor:sinks`, `${deployment}:leader`);
  } finally {
    await admin.quit();
  }
}
