import { describe, expect, it } from 'vitest';
import { abortedError } from '../../../src/errors.js';
import { createLocalRateBudget, resolveBudgetOptions, type RateBudgetOptions } from '../../../src/workos/rate-budget.js';
import { readBucket, takeToken } from '../../../src/workos/token-bucket.js';

/** A clock that only moves when the budget sleeps, and a record of every sleep. */
function fakeTime(start = 1_000_000) {
  let t = start;
  const waits: number[] = [];
  return {
    waits,
    now: () => t,
    advance: (ms: number) => void (t += ms),
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) throw abortedError();
      waits.push(ms);
      t += ms;
    },
  };
}

/** A sleep that never ends by itself: only an abort ends it, like a long wait at shutdown. */
function endlessSleep(waits: number[]) {
  return (ms: number, signal?: AbortSignal) => {
    waits.push(ms);
    return new Promise<void>((_, reject) => {
      if (signal?.aborted) reject(abortedError());
      signal?.addEventListener('abort', () => reject(abortedError()), { once: true });
    });
  };
}

function budget(time: ReturnType<typeof fakeTime>, options: Partial<RateBudgetOptions> = {}) {
  return createLocalRateBudget({ requestsPerMinute: 600, burst: 5, now: time.now, sleep: time.sleep, ...options });
}

// 600 a minute is 10 a second: one token every 100 ms.
const shape = { capacity: 5, tokensPerMs: 600 / 60_000 };

describe('token bucket math', () => {
  it('says a full bucket has a token now', () => {
    expect(readBucket({ tokens: 5, updatedAt: 0 }, shape, 0)).toEqual({ tokens: 5, waitMs: 0, at: 0 });
  });

  it('says an empty bucket needs one refill interval for its next token', () => {
    expect(readBucket({ tokens: 0, updatedAt: 0 }, shape, 0).waitMs).toBe(100);
    expect(readBucket({ tokens: 0, updatedAt: 0 }, shape, 40)).toEqual({ tokens: 0.4, waitMs: 60, at: 40 });
  });

  it('never refills past the capacity', () => {
    expect(readBucket({ tokens: 1, updatedAt: 0 }, shape, 3_600_000).tokens).toBe(5);
  });

  it('credits no time when the clock steps back, and keeps the later instant', () => {
    expect(readBucket({ tokens: 0.5, updatedAt: 1000 }, shape, 400)).toEqual({ tokens: 0.5, waitMs: 50, at: 1000 });
  });

  it('takes one token when there is one, and takes nothing when it reports a wait', () => {
    expect(takeToken({ tokens: 2.5, updatedAt: 0 }, shape, 0)).toEqual({ state: { tokens: 1.5, updatedAt: 0 }, waitMs: 0 });
    expect(takeToken({ tokens: 0.25, updatedAt: 0 }, shape, 50)).toEqual({ state: { tokens: 0.75, updatedAt: 50 }, waitMs: 25 });
  });

  it('finds a token after sleeping exactly the wait it reported, whatever the rate', () => {
    for (const perMinute of [1, 7, 60, 599, 600, 1000, 5999, 6000, 12_345]) {
      const s = { capacity: 3, tokensPerMs: perMinute / 60_000 };
      for (const tokens of [0, 0.1, 0.3, 0.7, 0.99, 0.999_999]) {
        const { waitMs } = readBucket({ tokens, updatedAt: 0 }, s, 0);
        expect(waitMs).toBeGreaterThan(0);
        expect(readBucket({ tokens, updatedAt: 0 }, s, waitMs).waitMs).toBe(0);
      }
    }
  });
});

describe('budget options', () => {
  it('defaults the burst to about five seconds of requests, and never below one', () => {
    expect(resolveBudgetOptions({ requestsPerMinute: 6000 }).shape.capacity).toBe(500);
    expect(resolveBudgetOptions({ requestsPerMinute: 1 }).shape.capacity).toBe(1);
  });

  it('refuses a rate or a burst that could never let a request out', () => {
    expect(() => resolveBudgetOptions({ requestsPerMinute: 0 })).toThrow(expect.objectContaining({ code: 'WES_ERR_CONFIG' }));
    expect(() => resolveBudgetOptions({ requestsPerMinute: Number.NaN })).toThrow(expect.objectContaining({ code: 'WES_ERR_CONFIG' }));
    expect(() => resolveBudgetOptions({ requestsPerMinute: 60, burst: 0.5 })).toThrow(expect.objectContaining({ code: 'WES_ERR_CONFIG' }));
  });
});

describe('local rate budget', () => {
  it('lets a burst out at once, then one request per refill interval', async () => {
    const time = fakeTime();
    const b = budget(time);
    const waited: number[] = [];
    for (let i = 0; i < 8; i++) waited.push(await b.take());
    expect(waited).toEqual([0, 0, 0, 0, 0, 100, 100, 100]);
    expect(time.waits).toEqual([100, 100, 100]);
  });

  it('refills while idle, up to the burst and no further', async () => {
    const time = fakeTime();
    const b = budget(time);
    for (let i = 0; i < 5; i++) await b.take();
    time.advance(60_000);
    for (let i = 0; i < 5; i++) expect(await b.take()).toBe(0);
    expect(await b.take()).toBe(100);
  });

  it('serves concurrent takes first come, first served, one token each', async () => {
    const time = fakeTime();
    const b = budget(time, { burst: 2 });
    const order: number[] = [];
    const takes = Array.from({ length: 6 }, (_, i) => b.take().then((ms) => {
      order.push(i);
      return ms;
    }));
    expect(await Promise.all(takes)).toEqual([0, 0, 100, 200, 300, 400]);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(time.waits).toEqual([100, 100, 100, 100]);
  });

  it('holds the next take back for the whole block after a 429', async () => {
    const time = fakeTime();
    const b = budget(time);
    expect(await b.take()).toBe(0);
    await b.blockFor(2000);
    expect(await b.take()).toBe(2000);
    expect(time.waits).toEqual([2000]);
  });

  it('never lets a shorter block cut a longer one short', async () => {
    const time = fakeTime();
    const b = budget(time);
    await b.blockFor(3000);
    await b.blockFor(1000);
    expect(await b.take()).toBe(3000);
  });

  it('rejects a waiting take with WES_ERR_ABORTED when its signal fires, and serves the next in line', async () => {
    const time = fakeTime();
    const waits: number[] = [];
    const b = createLocalRateBudget({ requestsPerMinute: 600, burst: 1, now: time.now, sleep: endlessSleep(waits) });
    expect(await b.take()).toBe(0);
    const controller = new AbortController();
    const aborted = b.take(controller.signal);
    const next = b.take();
    await new Promise((resolve) => setImmediate(resolve));
    expect(waits).toEqual([100]);
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'WES_ERR_ABORTED' });
    // The next take now heads the line and sleeps for its own token; closing ends that wait too.
    await new Promise((resolve) => setImmediate(resolve));
    expect(waits).toEqual([100, 100]);
    await b.close();
    await expect(next).rejects.toMatchObject({ code: 'WES_ERR_ABORTED' });
  });

  it('drops an aborted take from the middle of the line without disturbing the others', async () => {
    const time = fakeTime();
    const b = budget(time, { burst: 1 });
    const controller = new AbortController();
    const first = b.take();
    const second = b.take(controller.signal);
    const third = b.take();
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'WES_ERR_ABORTED' });
    expect(await first).toBe(0);
    expect(await third).toBe(100);
    expect(time.waits).toEqual([100]);
  });

  it('rejects at once when the signal has already fired or the budget is closed', async () => {
    const time = fakeTime();
    const b = budget(time);
    await expect(b.take(AbortSignal.abort())).rejects.toMatchObject({ code: 'WES_ERR_ABORTED' });
    await b.close();
    await b.close();
    await expect(b.take()).rejects.toMatchObject({ code: 'WES_ERR_ABORTED' });
  });
});
