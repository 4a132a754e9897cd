import pRetry from 'p-retry';
import type { Logger } from 'pino';
import { isAborted, isWesError } from '../errors.js';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import type { Sleep } from './sleep.js';

export interface RetryOptions {
  /** What is being retried, for log lines ("fetch page", "write to sink jsonl"). */
  readonly what: string;
  /** Attempts in all, including the first. 429s do not use one up. */
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  readonly logger: Logger;
  readonly sleep: Sleep;
  readonly random?: () => number;
  readonly signal?: AbortSignal | undefined;
  /** Extra fields for each retry log line. */
  readonly fields?: Record<string, unknown>;
  /** Told of every wait, for metrics and tests. */
  readonly onWait?: (info: { attempt: number; delayMs: number; rateLimited: boolean; err: unknown }) => void;
}

function isRateLimited(err: unknown): boolean {
  return isWesError(err) && err.code === 'WES_ERR_WORKOS_RATE_LIMITED';
}

/**
 * Runs `operation` until it succeeds, a non-retryable WesError is thrown, attempts run out or
 * shutdown aborts (between attempts: one that has started is let finish, and its result stands). p-retry keeps the count; the waits are ours (p-retry's own delay is zero)
 * so that a 429 waits exactly what `Retry-After` said and every wait is cancellable.
 */
export function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  let failures = 0;
  return pRetry(operation, {
    retries: Math.max(0, options.maxAttempts - 1),
    minTimeout: 0,
    maxTimeout: 0,
    factor: 1,
    // Not p-retry's `signal`: it checks the signal after an attempt that succeeded too, so a sink
    // write or a cursor commit that completed during shutdown would be reported as aborted, and
    // the page in flight left written but uncommitted. Shutdown stops the waits between attempts
    // (our sleep below) and any further attempt; an attempt already running is let finish.
    // Rate limits are expected while catching up; they are bounded by Retry-After, not by a count.
    shouldConsumeRetry: ({ error }) => !isRateLimited(error),
    shouldRetry: ({ error }) => isWesError(error) && error.retryable && !isAborted(error, options.signal),
    onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
      const rateLimited = isRateLimited(error);
      if (!rateLimited) failures++;
      if (!isWesError(error) || !error.retryable || isAborted(error, options.signal)) return;
      if (!rateLimited && retriesLeft === 0) return;
      const delayMs = rateLimited
        ? error.retryAfterMs ?? 0
        // Counted in failures other than WorkOS 429s, so waiting out rate limits does not inflate the
        // backoff; a sink's own Retry-After (an HTTP receiver's 429) is a floor under it.
        : Math.max(backoffDelay(failures, options.backoff, options.random), error.retryAfterMs ?? 0);
      const fields = { ...options.fields, attempt: attemptNumber, delayMs, code: error.code, reason: error.message };
      if (rateLimited) options.logger.warn(fields, `rate limited by WorkOS; waiting as Retry-After says before retrying: ${options.what}`);
      else options.logger.warn(fields, `retrying after a failure: ${options.what}`);
      options.onWait?.({ attempt: attemptNumber, delayMs, rateLimited, err: error });
      await options.sleep(delayMs, options.signal);
    },
  });
}
