import type { Redis } from 'ioredis';
import { WesError } from '../errors.js';
import { closeRedis, connectRedis } from '../redis/redis-client.js';
import { RedisScript } from '../redis/redis-script.js';
import { deserializeCursor, serializeCursor, type Cursor, type CursorStore, type Fence, type Positions } from './cursor-store.js';

function unavailable(action: string, description: string, err: unknown): WesError {
  return new WesError('WES_ERR_CURSOR_STORE_UNAVAILABLE', `could not ${action} the cursor in ${description}: ${(err as Error).message}`, { retryable: true, cause: err });
}

/**
 * A field no sink can be named (names have no ':'), present in the hash once it exists: it tells
 * "per-sink positions, and this sink is new" from "a store an older version wrote".
 */
const VERSION_FIELD = ':version';

/**
 * One sink's position into the hash and, when ARGV[4] is not empty, the deployment's position,
 * only while ARGV[1] still holds the lease, in one atomic step: an instance that lost its lease
 * (paused, partitioned) can never move a cursor.
 */
const FENCED_COMMIT = new RedisScript(`
if KEYS[3] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[2], '${VERSION_FIELD}', '2', ARGV[2], ARGV[3])
if ARGV[4] ~= '' then redis.call('SET', KEYS[1], ARGV[4]) end
return 1`);

/** Every sink to one position: the deployment's position, and no per-sink positions. */
const FENCED_SET_ALL = new RedisScript(`
if KEYS[3] ~= '' and redis.call('GET', KEYS[3]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return 1`);

/** Writes only into an empty store: a standby restoring what a wiped Redis lost never overwrites a leader. */
const RESTORE = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if ARGV[1] ~= '' then redis.call('SET', KEYS[1], ARGV[1]) end
if #ARGV > 1 then
  redis.call('HSET', KEYS[2], '${VERSION_FIELD}', '2')
  for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
end
return 1`);

export interface RedisCursorStoreOptions {
  readonly redis: Redis;
  /** The deployment's position; the per-sink positions are the hash `<key>:sinks`. */
  readonly key: string;
  /** Safe to log: the URL with its password masked. */
  readonly where: string;
  /** Close the client with the store (commands that own it); the daemon shares it and closes it itself. */
  readonly ownsConnection?: boolean;
  readonly now?: () => Date;
}

/** The deployment's position as one JSON string under `key`, each sink's in the hash `<key>:sinks`. */
export class RedisCursorStore implements CursorStore {
  readonly description: string;
  private readonly redis: Redis;
  private readonly key: string;
  private readonly sinksKey: string;
  private readonly now: () => Date;

  constructor(private readonly options: RedisCursorStoreOptions) {
    this.redis = options.redis;
    this.key = options.key;
    this.sinksKey = `${options.key}:sinks`;
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

  async read(): Promise<Positions> {
    let deployment: string | null;
    let fields: Record<string, string>;
    try {
      [deployment, fields] = await Promise.all([this.redis.get(this.key), this.redis.hgetall(this.sinksKey)]);
    } catch (err) {
      throw unavailable('read', this.description, err);
    }
    const names = Object.keys(fields).filter((f) => f !== VERSION_FIELD);
    const sinks = Object.keys(fields).length === 0
      ? undefined
      : new Map(names.map((name) => [name, deserializeCursor(fields[name]!, `${this.description} (sink ${name})`)]));
    return { deployment: deployment === null ? null : deserializeCursor(deployment, this.description), sinks };
  }

  async get(): Promise<Cursor | null> {
    return (await this.read()).deployment;
  }

  async commit(sink: string, cursor: Cursor, fence?: Fence, deployment?: Cursor): Promise<void> {
    const at = this.now();
    await this.fenced('write', FENCED_COMMIT, fence, [sink, serializeCursor(cursor, at), deployment ? serializeCursor(deployment, at) : '']);
  }

  async set(cursor: Cursor, fence?: Fence): Promise<void> {
    await this.fenced('write', FENCED_SET_ALL, fence, [serializeCursor(cursor, this.now())]);
  }

  async forget(sink: string): Promise<void> {
    try {
      // The version field stays, so the sink counts as new (its startFrom), not as "take the deployment's".
      await this.redis.multi().hset(this.sinksKey, VERSION_FIELD, '2').hdel(this.sinksKey, sink).exec();
    } catch (err) {
      throw unavailable('remove', this.description, err);
    }
  }

  async reset(): Promise<void> {
    try {
      await this.redis.del(this.key, this.sinksKey);
    } catch (err) {
      throw unavailable('remove', this.description, err);
    }
  }

  async restore(positions: Positions): Promise<boolean> {
    const at = this.now();
    const args = [positions.deployment ? serializeCursor(positions.deployment, at) : ''];
    for (const [name, cursor] of positions.sinks ?? []) args.push(name, serializeCursor(cursor, at));
    if (positions.sinks && positions.sinks.size === 0) args.push(VERSION_FIELD, '2');
    try {
      return (await RESTORE.run(this.redis, [this.key, this.sinksKey], args)) === 1;
    } catch (err) {
      throw unavailable('restore', this.description, err);
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

  private async fenced(action: string, script: RedisScript, fence: Fence | undefined, args: string[]): Promise<void> {
    let written: unknown;
    try {
      written = await script.run(this.redis, [this.key, this.sinksKey, fence?.leaseKey ?? ''], [fence?.token ?? '', ...args]);
    } catch (err) {
      throw unavailable(action, this.description, err);
    }
    if (written !== 1) {
      throw new WesError('WES_ERR_LEASE_LOST', 'this instance no longer holds the leader lease; the cursor was not moved (another instance took over)');
    }
  }
}
