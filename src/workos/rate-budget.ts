import { WesError } from '../errors.js';
import { sleep as realSleep, type Sleep } from '../retry/sleep.js';
import { LocalBucket } from './local-bucket.js';
import { TakeQueue } from './take-queue.js';
import type { BucketShape } from './token-bucket.js';

/**
 * The client-side rate budget: every request to WorkOS first takes a token, so the daemon stays
 * under its share of the key's limit (6,000 requests per 60 s, shared with the user's own app)
 * instead of finding the limit by hitting 429s.
 */
export interface RateBudget {
  /**
   * Waits until one request may go out (a token is free and no 429 block is in force); resolves
   * with the ms waited. Concurrent calls are served first come, first served. Rejects with
   * WES_ERR_ABORTED when `signal` fires while waiting, or when the budget is closed.
   */
  take(signal?: AbortSignal): Promise<number>;
  /** After a 429: no request from this instance (and, for the shared budget, from any instance using the same API key) goes out for `ms`. */
  blockFor(ms: number): Promise<void>;
  /** Rejects the takes still waiting. Idempotent; does not close anything passed in (such as a Redis client). */
  close(): Promise<void>;
}

export interface RateBudgetOptions {
  /** Refill rate, in requests per minute; must be above 0. */
  requestsPerMinute: number;
  /** Bucket capacity, in requests: the largest burst. Default max(1, ceil(requestsPerMinute / 60 * 5)), about 5 s worth. */
  burst?: number;
  /** Clock in ms; default `Date.now`. Injected by tests. */
  now?: () => number;
  /** Abortable wait; default src/retry/sleep.ts `sleep`. Injected by tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Options with defaults applied and checked. */
export interface ResolvedBudgetOptions {
  readonly shape: BucketShape;
  readonly now: () => number;
  readonly sleep: Sleep;
}

/** Applies the defaults and refuses a rate or burst that would make the bucket meaningless. */
export function resolveBudgetOptions(options: RateBudgetOptions): ResolvedBudgetOptions {
  const { requestsPerMinute } = options;
  if (!Number.isFinite(requestsPerMinute) || requestsPerMinute <= 0) {
    throw new WesError('WES_ERR_CONFIG', `rate budget: requestsPerMinute must be a number above 0, got ${requestsPerMinute}`);
  }
  const burst = options.burst ?? Math.max(1, Math.ceil((requestsPerMinute / 60) * 5));
  // Below one token the bucket could never hold a whole request and every take would wait forever.
  if (!Number.isFinite(burst) || burst < 1) throw new WesError('WES_ERR_CONFIG', `rate budget: burst must be at least 1, got ${burst}`);
  return {
    shape: { capacity: burst, tokensPerMs: requestsPerMinute / 60_000 },
    now: options.now ?? Date.now,
    sleep: options.sleep ?? realSleep,
  };
}

/** A rate budget for this process alone: right when one instance owns the key's budget. */
export function createLocalRateBudget(options: RateBudgetOptions): RateBudget {
  const { shape, now, sleep } = resolveBudgetOptions(options);
  const bucket = new LocalBucket(shape, now);
  const queue = new TakeQueue(() => bucket.tryTake(), sleep, now);
  return {
    take: (signal) => queue.take(signal),
    blockFor: async (ms) => bucket.blockFor(ms),
    close: async () => queue.close(),
  };
}
