import type { Logger } from 'pino';
import type { CursorConfig } from '../config/schema.js';
import type { CursorStore } from './cursor-store.js';
import { FileCursorStore } from './file-cursor-store.js';
import { RedisCursorStore } from './redis-cursor-store.js';

export function createCursorStore(config: CursorConfig, logger: Logger): CursorStore {
  return config.store === 'redis' ? new RedisCursorStore(config.url, config.key, logger) : new FileCursorStore(config.path);
}
