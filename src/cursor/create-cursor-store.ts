import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CursorConfig } from '../config/schema.js';
import { redactUrl } from '../observability/redact-url.js';
import { createRedisClient } from '../redis/redis-client.js';
import type { CursorStore } from './cursor-store.js';
import { FileCursorStore } from './file-cursor-store.js';
import { RedisCursorStore } from './redis-cursor-store.js';

/**
 * The store the config asks for. Given `redis` (the daemon's shared client) the store uses it;
 * otherwise it makes its own and closes it with itself (the one-shot commands).
 */
export function createCursorStore(config: CursorConfig, logger: Logger, redis?: Redis): CursorStore {
  if (config.store === 'file') return new FileCursorStore(config.path);
  return new RedisCursorStore({
    redis: redis ?? createRedisClient(config.url, logger),
    key: config.key,
    where: redactUrl(config.url),
    ownsConnection: redis === undefined,
  });
}
