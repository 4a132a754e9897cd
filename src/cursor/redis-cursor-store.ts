import type { Redis } from 'ioredis';
import { WesError } from '../errors.js';
import { closeRedis, connectRedis } from '../redis/redis-client.js';
import { deserializeCursor, serializeCursor, type Cursor, type CursorStore, type Fence } from './cursor-store.js';

function unavailable(action: string, description: string, err: unknown): WesError {
  return new WesError('WES_ERR_CURSOR_STORE_UNAVAILABLE', `could not ${action} the cursor in ${description}: ${(err as Error).message}`, { retryable: true, cause: err });
}

/**
 * Writes the cursor only while `fence.token` still holds the leader lease, in one atomic step:
 * an instance that lost its lease (paused, partitioned) can never move the cursor.
 */
const FENCED_SET = `
if redis.call('GET', KEYS[2]) == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1])
  return 1
end
return 0`;

export interface RedisCursorStoreOptions {
  readonly redis: Redis;
  readonly key: string;
  /** Safe to log: the URL with its password masked. */
  readonly where: string;
  /** Close the client with the store (commands that own it); the daemon shares it and closes it itself. */
  readonly ownsConnection?: boolean;
  readonly now?: () => Date;
}

/** The cursor as one JSON string under one Redis key. */
export class RedisCursorStore implements CursorStore {
  readonly description: string;
  private readonly redis: Redis;
  private readonly key: string;
  private readonly now: () => Date;

  constructor(private readonly options: RedisCursorStoreOptions) {
    this.redis = options.redis;
    this.key = options.key;
    this.now = options.now ?? (() => new Date());
    this.description = `redis ${options.where} key ${options.key}`;
  }

  async open(): Promise<void> {
    try {
      await connectRedis(this.redis);
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

  async set(cursor: Cursor, fence?: Fence): Promise<void> {
    const value = serializeCursor(cursor, this.now());
    let written: unknown;
    try {
      written = fence
        ? await this.redis.eval(FENCED_SET, 2, this.key, fence.leaseKey, value, fence.token)
        : await this.redis.set(this.key, value);
    } catch (err) {
      throw unavailable('write', this.description, err);
    }
    if (fence && written !== 1) {
      throw new WesError('WES_ERR_LEASE_LOST', 'this instance no longer holds the leader lease; the cursor was not moved (another instance took over)');
    }
  }

  async setIfAbsent(cursor: Cursor): Promise<boolean> {
    try {
      return (await this.redis.set(this.key, serializeCursor(cursor, this.now()), 'NX')) === 'OK';
    } catch (err) {
      throw unavailable('restore', this.description, err);
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

  async close(): Promise<void> {
    if (this.options.ownsConnection) await closeRedis(this.redis);
  }
}
