import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisScript } from '../redis/redis-script.js';
import { LocalBucket } from './local-bucket.js';
import { resolveBudgetOptions, type RateBudget, type RateBudgetOptions } from './rate-budget.js';
import { SpareTokens } from './spare-tokens.js';
import { TakeQueue } from './take-queue.js';

export interface RedisRateBudgetOptions extends RateBudgetOptions {
  /** An already-created client, owned by the caller (not closed here); it may be down: takes then use a local budget. */
  redis: Redis;
  /** Only a hash of it is used, as the Redis key: every instance with the same key shares one bucket. */
  apiKey: string;
  /** Start of the Redis keys; default 'workos-events-sync:rate'. */
  keyPrefix?: string;
  logger: Logger;
  /** Longest wait for one Redis answer before the local budget answers instead, in ms; default 1000. */
  redisTimeoutMs?: number;
}

export const DEFAULT_RATE_KEY_PREFIX = 'workos-events-sync:rate';

/** While Redis is away, ask it again at most this often (ms), so takes are not each slowed by a timeout. */
const PROBE_EVERY_MS = 1_000;

/**
 * While catching up, a round trip to Redis per request costs about as much CPU as the sink's
 * write, and sits on the path of every fetch. Takes that come back to back (a catch-up, not idle
 * polls) ask for more tokens per trip, kept by this instance as spares for a short while.
 */
const SPARES = { max: 4, backToBackMs: 250, ttlMs: 1_000 } as const;

/**
 * Refill and take, atomically, on Redis's own clock (TIME), so instances with skewed clocks agree.
 * KEYS[1] the bucket hash {tokens, ts}; KEYS[2] the 429 block. ARGV: tokens per ms, capacity,
 * idle TTL in ms, tokens wanted. Returns {0, tokens taken} (at least one, at most those wanted or
 * there), or {ms to wait before asking again, 0}; a bare number of ms while blocked.
 */
const TAKE = new RedisScript(`
local blocked = redis.call('PTTL', KEYS[2])
if blocked > 0 then return blocked end
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(stored[1])
local ts = tonumber(stored[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
if now > ts then
  tokens = tokens + (now - ts) * rate
  ts = now
end
tokens = math.min(capacity, tokens)
local wait = 0
local granted = 0
if tokens >= 1 - 1e-9 then
  granted = math.max(1, math.min(tonumber(ARGV[4]) or 1, math.floor(tokens + 1e-9)))
  tokens = math.max(0, tokens - granted)
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', ts)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {wait, granted}
`);

/** KEYS[1] the 429 block; ARGV[1] its length in ms. A shorter block never cuts a longer one short. */
const BLOCK = new RedisScript(`
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then
  redis.call('SET', KEYS[1], '1', 'PX', ms)
end
return 0
`);

/** The bucket's Redis key: the prefix and the first 16 hex characters of sha256(apiKey), never the key itself. */
export function rateBudgetKey(apiKey: string, keyPrefix: string = DEFAULT_RATE_KEY_PREFIX): string {
  return `${keyPrefix}:${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}

/** {wait, granted} from TAKE; a bare number (blocked) is a wait. Anything else is a broken script: fall back. */
function readTakeReply(reply: unknown): [wait: number, granted: number] {
  const [wait = Number.NaN, granted = 1] = Array.isArray(reply) ? reply.map(Number) : [Number(reply), 0];
  if (!Number.isFinite(wait) || wait < 0 || !Number.isFinite(granted)) throw new Error(`the rate budget script answered ${String(reply)}`);
  return [wait, wait > 0 ? 0 : Math.max(1, granted)];
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A rate budget shared by every instance using the same API key, through one bucket in Redis.
 * When Redis is unreachable or errors, this instance falls back to a local bucket of the same
 * shape (better a budget per instance than none) and goes back to the shared one when Redis
 * answers again; take() never fails because Redis is down.
 */
export function createRedisRateBudget(options: RedisRateBudgetOptions): RateBudget {
  const { shape, now, sleep } = resolveBudgetOptions(options);
  const { redis } = options;
  // The raw key goes no further than this line: only its hash is kept.
  const key = rateBudgetKey(options.apiKey, options.keyPrefix);
  const blockedKey = `${key}:blocked`;
  const logger = options.logger.child({ rateBudgetKey: key });
  const timeoutMs = options.redisTimeoutMs ?? 1_000;
  // Past this the bucket would be full anyway, so letting an idle key expire loses nothing.
  const idleTtlMs = Math.ceil(shape.capacity / shape.tokensPerMs) + 1_000;
  const local = new LocalBucket(shape, now);
  let outage = false;
  let nextProbeAt = 0;

  /** Runs `call` on Redis, or returns undefined (Redis down: use the local bucket), logging only the transitions. */
  async function shared<T>(call: () => Promise<T>, force = false): Promise<T | undefined> {
    if (outage && !force && now() < nextProbeAt) return undefined;
    try {
      const result = await within(call(), timeoutMs);
      if (outage) {
        outage = false;
        logger.info('shared rate budget is back; using it again');
      }
      return result;
    } catch (err) {
      if (!outage) {
        outage = true;
        logger.warn({ err }, 'shared rate budget unavailable; using a local budget until Redis is back');
      }
      nextProbeAt = now() + PROBE_EVERY_MS;
      return undefined;
    }
  }

  const spares = new SpareTokens(SPARES);

  /** One trip to the shared bucket for `want` tokens, `used` of them taken now; the rest become spares. Undefined: Redis is away. */
  function trip(want: number, used: 0 | 1): Promise<number | undefined> {
    return shared(async () => {
      const [wait, granted] = readTakeReply(await TAKE.run(redis, [key, blockedKey], [shape.tokensPerMs, shape.capacity, idleTtlMs, want]));
      if (granted > used) spares.keep(granted - used, now());
      return wait;
    });
  }

  /** A trip for spares already under way (see refillAhead): its tokens are the next ones. */
  let refilling: Promise<unknown> | undefined;

  /**
   * While catching up, the trip for the next tokens starts as the last spare is used, so the take
   * after it finds them waiting instead of waiting for Redis on the path of its request.
   */
  function refillAhead(): void {
    if (refilling || spares.left > 0 || !spares.catchingUp) return;
    refilling = trip(spares.wanted(now()), 0).finally(() => (refilling = undefined));
  }

  async function tryTake(): Promise<number> {
    // This instance's own 429 block holds even when Redis is away or lost the block key.
    const blocked = local.blockedMs();
    if (blocked > 0) return blocked;
    if (refilling) await refilling;
    if (spares.take(now())) {
      refillAhead();
      return 0;
    }
    const waitMs = await trip(spares.wanted(now()), 1);
    return waitMs ?? local.tryTake();
  }

  const queue = new TakeQueue(tryTake, sleep, now);
  return {
    take: (signal) => queue.take(signal),
    async blockFor(ms) {
      const blockMs = Math.ceil(ms);
      if (!(blockMs > 0)) return;
      local.blockFor(blockMs);
      spares.drop();
      // A 429 is rare and tells every instance to stop: worth asking Redis even mid-outage.
      await shared(() => BLOCK.run(redis, [blockedKey], [blockMs]), true);
    },
    close: async () => queue.close(),
  };
}
