import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { WesError } from '../../../src/errors.js';
import { withRetry } from '../../../src/retry/with-retry.js';

const logger = pino({ level: 'silent' });
const backoff = { minDelayMs: 100, maxDelayMs: 1000 };

function failing(errors: WesError[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    run: async () => {
      const err = errors[calls++];
      if (err) throw err;
      return 'ok';
    },
  };
}

const unavailable = () => new WesError('WES_ERR_WORKOS_UNAVAILABLE', 'down', { retryable: true });
const limited = (ms: number) => new WesError('WES_ERR_WORKOS_RATE_LIMITED', '429', { retryable: true, retryAfterMs: ms });

describe('withRetry', () => {
  it('backs off with full jitter between retryable failures', async () => {
    const waits: number[] = [];
    const op = failing([unavailable(), unavailable()]);
    await expect(withRetry(op.run, { what: 'x', maxAttempts: 5, backoff, logger, random: () => 1, sleep: async (ms) => void waits.push(ms) })).resolves.toBe('ok');
    expect(waits).toEqual([100, 200]);
  });

  it('waits Retry-After on a 429 without using up an attempt', async () => {
    const waits: number[] = [];
    const op = failing([limited(3000), limited(2000), limited(1000), unavailable()]);
    await expect(withRetry(op.run, { what: 'x', maxAttempts: 2, backoff, logger, random: () => 1, sleep: async (ms) => void waits.push(ms) })).resolves.toBe('ok');
    expect(waits).toEqual([3000, 2000, 1000, 100]);
  });

  it('waits at least what a sink asked for with its own Retry-After', async () => {
    const waits: number[] = [];
    const busy = new WesError('WES_ERR_SINK_UNAVAILABLE', '429 from the receiver', { retryable: true, retryAfterMs: 4000 });
    const op = failing([busy]);
    await expect(withRetry(op.run, { what: 'x', maxAttempts: 3, backoff, logger, random: () => 1, sleep: async (ms) => void waits.push(ms) })).resolves.toBe('ok');
    expect(waits).toEqual([4000]);
  });

  it('gives up after maxAttempts with the last error, without a final wait', async () => {
    const waits: number[] = [];
    const op = failing([unavailable(), unavailable(), unavailable()]);
    await expect(withRetry(op.run, { what: 'x', maxAttempts: 3, backoff, logger, random: () => 1, sleep: async (ms) => void waits.push(ms) })).rejects.toMatchObject({ code: 'WES_ERR_WORKOS_UNAVAILABLE' });
    expect(op.calls).toBe(3);
    expect(waits).toEqual([100, 200]);
  });

  it('does not retry an error that is not retryable', async () => {
    const op = failing([new WesError('WES_ERR_WORKOS_UNAUTHORIZED', '401')]);
    const waits: number[] = [];
    await expect(withRetry(op.run, { what: 'x', maxAttempts: 5, backoff, logger, sleep: async (ms) => void waits.push(ms) })).rejects.toMatchObject({ code: 'WES_ERR_WORKOS_UNAUTHORIZED' });
    expect(op.calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('stops waiting at once when shutdown aborts', async () => {
    const controller = new AbortController();
    const { sleep } = await import('../../../src/retry/sleep.js');
    const op = failing([limited(60_000)]);
    const pending = withRetry(op.run, { what: 'x', maxAttempts: 5, backoff, logger, sleep, signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toBeTruthy();
    expect(op.calls).toBe(1);
  });

  it('lets an attempt that is running when shutdown comes finish, and keeps its result: the page in flight is committed', async () => {
    const shutdown = new AbortController();
    const committed = withRetry(async () => {
      shutdown.abort();
      await new Promise((r) => setTimeout(r, 5));
      return 'committed';
    }, { what: 'commit the cursor', maxAttempts: 3, backoff, logger, signal: shutdown.signal, sleep: async () => undefined });
    await expect(committed).resolves.toBe('committed');
  });

  it('makes no further attempt once shutdown came during a failed one', async () => {
    const shutdown = new AbortController();
    let calls = 0;
    const run = withRetry(async () => {
      calls++;
      shutdown.abort();
      throw unavailable();
    }, { what: 'fetch', maxAttempts: 3, backoff, logger, signal: shutdown.signal, sleep: async (_ms, signal) => { if (signal?.aborted) throw new WesError('WES_ERR_ABORTED', 'stopped'); } });
    await expect(run).rejects.toBeDefined();
    expect(calls).toBe(1);
  });
});
