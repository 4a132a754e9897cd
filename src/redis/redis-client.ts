import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { redactUrl } from '../observability/redact-url.js';
import { ioredis } from './load-ioredis.js';

/** The longest pause between two reconnect attempts: a client is back at most this long after Redis is. */
export const REDIS_RECONNECT_MAX_MS = 2_000;

/**
 * One ioredis client for the cursor, the leader lease, the rate budget and the dead letters.
 * Commands fail fast while Redis is down (no offline queue), so the pipeline's own retries decide
 * what happens, never a hidden buffer; ioredis keeps reconnecting in the background. Only
 * transitions are logged (lost, back), not every reconnect attempt.
 */
export function createRedisClient(url: string, logger: Logger): Redis {
  const where = redactUrl(url);
  const redis = new (ioredis().Redis)(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 250, REDIS_RECONNECT_MAX_MS),
  });
  let ready = false;
  // Without an 'error' listener ioredis would crash the process on the first refused connection.
  redis.on('error', (err) => {
    if (ready) logger.warn({ err, redis: where }, 'lost the connection to Redis; reconnecting');
    ready = false;
  });
  redis.on('ready', () => {
    if (!ready) logger.info({ redis: where }, 'connected to Redis');
    ready = true;
  });
  return redis;
}

/** Connects a lazy client; a refused first connection is left to ioredis's reconnect loop. */
export async function connectRedis(redis: Redis): Promise<void> {
  if (redis.status === 'wait') await redis.connect();
}

/** QUIT when connected (flushes replies), else drop the socket; safe to call twice. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready') {
    const quit = await redis.quit().then(() => true, () => false);
    if (quit) return;
  }
  redis.disconnect();
}
