import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What the sink's own client needs to know. */
export interface RedisStreamsClientOptions {
  readonly url: string;
  /** Safe to log: the URL with its password masked. */
  readonly where: string;
  readonly sinkName: string;
  readonly connectTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
}

/**
 * The sink's own ioredis client (never the cursor's: the sink may point at another Redis, and its
 * outages must not look like the cursor's). Commands fail fast while Redis is unreachable (no
 * offline queue, one retry per request, a command timeout), so the pipeline's retries decide what
 * happens next; ioredis keeps reconnecting in the background. `rediss://` turns on TLS. Only
 * transitions are logged (lost, back), not every reconnect attempt.
 */
export function createRedisStreamsClient(options: RedisStreamsClientOptions): Redis {
  const { logger, sinkName: sink, where } = options;
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: options.connectTimeoutMs,
    // A command sent on a connection that hangs (no reset, no reply) must still settle. It may
    // have run anyway: the append script is harmless to repeat.
    commandTimeout: options.commandTimeoutMs,
    retryStrategy: (times) => Math.min(times * 250, 2_000),
  });
  let ready = false;
  let lastError: Error | undefined;
  // Without an 'error' listener ioredis would crash the process on the first refused connection.
  // Errors repeat on every reconnect attempt, so they are only kept for the transition's log line.
  redis.on('error', (err: Error) => {
    lastError = err;
  });
  // 'reconnecting' (unlike 'close') is not emitted by our own quit(): it is the loss worth a warning.
  redis.on('reconnecting', () => {
    if (ready) logger.warn({ err: lastError, sink, redis: where }, 'sink lost its connection to Redis; reconnecting');
    ready = false;
  });
  redis.on('ready', () => {
    if (!ready) logger.info({ sink, redis: where }, 'sink connected to Redis');
    ready = true;
    lastError = undefined;
  });
  redis.on('end', () => {
    ready = false;
  });
  return redis;
}
