import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { WesError } from '../errors.js';
import { redactUrl } from '../observability/redact-url.js';
import { deserializeCursor, serializeCursor, type Cursor, type CursorStore } from './cursor-store.js';

function unavailable(action: string, description: string, err: unknown): WesError {
  return new WesError('WES_ERR_CURSOR_STORE_UNAVAILABLE', `could not ${action} the cursor in ${description}: ${(err as Error).message}`, { retryable: true, cause: err });
}

/**
 * The cursor as one JSON string under one Redis key. Commands fail fast while Redis is down
 * (no offline queue), so the pipeline's own retry decides what happens, not a hidden buffer;
 * ioredis keeps reconnecting in the background.
 */
export class RedisCursorStore implements CursorStore {
  readonly description: string;
  private readonly redis: Redis;
  private connected = false;
  private closing: Promise<void> | undefined;

  constructor(url: string, private readonly key: string, private readonly logger: Logger, private readonly now: () => Date = () => new Date()) {
    this.description = `redis ${redactUrl(url)} key ${key}`;
    this.redis = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 5_000,
      retryStrategy: (times) => Math.min(times * 250, 2_000),
    });
    // Without a listener an 'error' event would crash the process; log only the transitions.
    this.redis.on('error', (err) => {
      if (this.connected) this.logger.warn({ err, store: this.description }, 'lost the connection to Redis; reconnecting');
      this.connected = false;
    });
    this.redis.on('ready', () => {
      if (!this.connected) this.logger.info({ store: this.description }, 'connected to Redis');
      this.connected = true;
    });
  }

  async open(): Promise<void> {
    if (this.redis.status !== 'wait') return;
    try {
      await this.redis.connect();
    } catch (err) {
      throw unavailable('reach', this.description, err);
    }
  }

  async get(): Promise<Cursor | null> {
    let text: string | null;
    try {
      text = await this.redis.get(this.key);
    } catch (err) {
      throw unavailable('read', this.description, err);
    }
    return text === null ? null : deserializeCursor(text, this.description);
  }

  async set(cursor: Cursor): Promise<void> {
    try {
      await this.redis.set(this.key, serializeCursor(cursor, this.now()));
    } catch (err) {
      throw unavailable('write', this.description, err);
    }
  }

  async reset(): Promise<void> {
    try {
      await this.redis.del(this.key);
    } catch (err) {
      throw unavailable('remove', this.description, err);
    }
  }

  async probe(): Promise<void> {
    try {
      await this.redis.ping();
    } catch (err) {
      throw unavailable('reach', this.description, err);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.redis.status === 'ready') {
        const quit = await this.redis.quit().then(() => true, () => false);
        if (quit) return;
      }
      this.redis.disconnect();
    })();
    return this.closing;
  }
}
