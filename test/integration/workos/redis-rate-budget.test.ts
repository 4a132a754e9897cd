import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { abortedError } from '../../../src/errors.js';
import { sleep as realSleep } from '../../../src/retry/sleep.js';
import type { RateBudget } from '../../../src/workos/rate-budget.js';
import { createRedisRateBudget, rateBudgetKey, type RedisRateBudgetOptions } from '../../../src/workos/redis-rate-budget.js';
import { RedisScript } from '../../../src/redis/redis-script.js';
import { REDIS_URL } from '../../support/services.js';

/** A real, abortable sleep that records what it was asked to wait: tests assert on the requests, not on wall-clock time. */
function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number, signal?: AbortSignal) => void (waits.push(ms), await realSleep(ms, signal)) };
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const text: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void (text.push(line), lines.push(JSON.parse(line) as Record<string, unknown>)) });
  return { logger, lines, text: () => text.join('') };
}

let redis: Redis;
let keyPrefix: string;
let apiKey: string;
const budgets: RateBudget[] = [];
const clients: Redis[] = [];

beforeEach(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  await redis.ping();
  keyPrefix = `wes-test:${randomUUID()}:rate`;
  apiKey = `sk_test_${randomUUID().replaceAll('-', '')}`;
});

afterEach(async () => {
  await Promise.all(budgets.splice(0).map((b) => b.close()));
  for (const c of clients.splice(0)) c.disconnect();
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function budget(options: Partial<RedisRateBudgetOptions> = {}) {
  const recorder = recordingSleep();
  const b = createRedisRateBudget({
    redis,
    apiKey,
    keyPrefix,
    logger: pino({ level: 'silent' }),
    requestsPerMinute: 600,
    burst: 5,
    sleep: recorder.sleep,
    ...options,
  });
  budgets.push(b);
  return { budget: b, waits: recorder.waits };
}

/** Takes one token and says whether the budget had to sleep for it. */
async function tookWithoutWaiting(b: { budget: RateBudget; waits: number[] }): Promise<boolean> {
  const before = b.waits.length;
  await b.budget.take();
  return b.waits.slice(before).every((ms) => ms === 0);
}

describe('redis rate budget', () => {
  it('shares one bucket between instances using the same API key', async () => {
    const a = budget();
    const b = budget();
    const immediate: boolean[] = [];
    for (let i = 0; i < 10; i++) immediate.push(await tookWithoutWaiting(i % 2 === 0 ? a : b));
    expect(immediate).toEqual([true, true, true, true, true, false, false, false, false, false]);
    expect(a.waits.length).toBeGreaterThan(0);
    expect(b.waits.length).toBeGreaterThan(0);
    for (const ms of [...a.waits, ...b.waits]) expect(ms).toBeGreaterThan(0);
  });

  it('serves concurrent takes across instances, no more than the burst at once', async () => {
    const a = budget();
    const b = budget();
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).budget.take()));
    // Five tokens were there; the other five each needed at least one sleep for a refill.
    expect(a.waits.length + b.waits.length).toBeGreaterThanOrEqual(5);
  });

  it('asks Redis for several tokens per trip while takes come back to back, never for more than the bucket holds', async () => {
    const a = budget({ burst: 50 });
    const trips = vi.spyOn(redis, 'evalsha');
    for (let i = 0; i < 20; i++) expect(await tookWithoutWaiting(a)).toBe(true);
    // Trips asking for 1, 2, 4, 4, 4, 4 and 4 tokens: 7 round trips for 20 requests, 3 tokens left unused.
    expect(trips.mock.calls.length).toBe(7);
    const left = Number(await redis.hget(rateBudgetKey(apiKey, keyPrefix), 'tokens'));
    expect(left).toBeGreaterThanOrEqual(27);
    expect(left).toBeLessThan(30);
    // Another instance gets what is left (and what refilled meanwhile, 10 a second), no more.
    const b = budget({ burst: 50 });
    let immediate = 0;
    while (await tookWithoutWaiting(b)) immediate++;
    expect(immediate).toBeGreaterThanOrEqual(Math.floor(left));
    expect(immediate).toBeLessThanOrEqual(Math.floor(left) + 1);
  });

  it('gives a different API key a bucket of its own', async () => {
    const a = budget();
    for (let i = 0; i < 5; i++) expect(await tookWithoutWaiting(a)).toBe(true);
    const other = budget({ apiKey: `${apiKey}_other` });
    for (let i = 0; i < 5; i++) expect(await tookWithoutWaiting(other)).toBe(true);
    expect(await tookWithoutWaiting(a)).toBe(false);
    expect(rateBudgetKey(`${apiKey}_other`, keyPrefix)).not.toBe(rateBudgetKey(apiKey, keyPrefix));
  });

  it('makes every instance wait out a block set by one of them after a 429', async () => {
    const a = budget();
    const b = budget();
    const blockedKey = `${rateBudgetKey(apiKey, keyPrefix)}:blocked`;
    await a.budget.blockFor(400);
    const remaining = await redis.pttl(blockedKey);
    expect(remaining).toBeGreaterThan(0);
    await b.budget.take();
    expect(b.waits[0]).toBeGreaterThan(0);
    expect(b.waits[0]).toBeLessThanOrEqual(remaining);
    expect(b.waits.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(b.waits[0]!);
    // The take went through only once the block had run out in Redis (0 ms left, or gone).
    expect(await redis.pttl(blockedKey)).toBeLessThanOrEqual(0);
  });

  it('never lets a shorter block cut a longer one short', async () => {
    const a = budget();
    const b = budget();
    await a.budget.blockFor(5000);
    await b.budget.blockFor(100);
    expect(await redis.pttl(`${rateBudgetKey(apiKey, keyPrefix)}:blocked`)).toBeGreaterThan(4000);
  });

  it('stores only a hash of the API key, with an expiry, and never the key itself', async () => {
    const a = budget();
    await a.budget.take();
    await a.budget.blockFor(1000);
    const key = rateBudgetKey(apiKey, keyPrefix);
    expect(key).toMatch(new RegExp(`^${keyPrefix}:[0-9a-f]{16}$`));
    expect((await redis.keys(`${keyPrefix}*`)).sort()).toEqual([key, `${key}:blocked`]);
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `*${apiKey}*`, 'COUNT', 1000);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    expect(found).toEqual([]);
    expect(JSON.stringify(await redis.hgetall(key))).not.toContain(apiKey);
  });

  it('rejects a take waiting on the shared bucket with WES_ERR_ABORTED when its signal fires', async () => {
    const a = budget();
    await a.budget.blockFor(10_000);
    const controller = new AbortController();
    const waiting = a.budget.take(controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(waiting).rejects.toMatchObject({ code: 'WES_ERR_ABORTED' });
  });

  it('falls back to a local bucket when Redis is unreachable, warning once and never leaking the key', async () => {
    const down = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => null });
    down.on('error', () => undefined);
    clients.push(down);
    const log = capturingLogger();
    let t = 1_000_000;
    const waits: number[] = [];
    const b = createRedisRateBudget({
      redis: down,
      apiKey,
      keyPrefix,
      logger: log.logger,
      requestsPerMinute: 600,
      burst: 3,
      now: () => t,
      sleep: async (ms, signal) => {
        if (signal?.aborted) throw abortedError();
        waits.push(ms);
        t += ms;
      },
    });
    budgets.push(b);
    const waited: number[] = [];
    for (let i = 0; i < 5; i++) waited.push(await b.take());
    await b.blockFor(1000);
    waited.push(await b.take());
    expect(waited).toEqual([0, 0, 0, 100, 100, 1000]);
    expect(waits).toEqual([100, 100, 1000]);
    const warns = log.lines.filter((l) => l.level === 40);
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ msg: 'shared rate budget unavailable; using a local budget until Redis is back', rateBudgetKey: rateBudgetKey(apiKey, keyPrefix) });
    expect(warns[0]!.err).toBeDefined();
    expect(log.text()).not.toContain(apiKey);
  });

  it('goes back to the shared bucket once Redis answers again, and says so', async () => {
    const late = new Redis(REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    clients.push(late);
    const log = capturingLogger();
    let t = 1_000_000;
    const b = createRedisRateBudget({ redis: late, apiKey, keyPrefix, logger: log.logger, requestsPerMinute: 600, burst: 5, now: () => t, sleep: async () => undefined });
    budgets.push(b);
    // Not connected yet, and no offline queue: the first take is refused, which also starts the connection.
    expect(await b.take()).toBe(0);
    expect(log.lines.map((l) => l.msg)).toEqual(['shared rate budget unavailable; using a local budget until Redis is back']);
    if (late.status !== 'ready') await once(late, 'ready');
    t += 1_000;
    expect(await b.take()).toBe(0);
    expect(log.lines.map((l) => l.msg)).toEqual([
      'shared rate budget unavailable; using a local budget until Redis is back',
      'shared rate budget is back; using it again',
    ]);
    expect(await redis.hget(rateBudgetKey(apiKey, keyPrefix), 'tokens')).not.toBeNull();
  });
});

describe('redis script', () => {
  it('sends the full script once when the server does not know its hash, then runs it by hash', async () => {
    const script = new RedisScript(`return tonumber(ARGV[1]) + 1 -- ${randomUUID()}`);
    expect(await redis.script('EXISTS', script.sha1)).toEqual([0]);
    expect(await script.run(redis, [], [41])).toBe(42);
    expect(await redis.script('EXISTS', script.sha1)).toEqual([1]);
    expect(await script.run(redis, [], [1])).toBe(2);
  });
});
