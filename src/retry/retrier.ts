import type { Logger } from 'pino';
import type { Sleep } from './sleep.js';
import { withRetry } from './with-retry.js';

/** What the retrier needs of `config.retry` (the config's type stays in the config layer). */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export interface RetrierOptions {
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  readonly sleep: Sleep;
  readonly random?: (() => number) | undefined;
  /** Told of every wait before another attempt (metrics, readiness). */
  readonly onWait?: (operation: string, delayMs: number, rateLimited: boolean) => void;
}

export interface RetryCall {
  /** What is being retried, for the log lines ("fetch a page of events"). */
  readonly what: string;
  /** For the metrics: fetch, sink_write, cursor_read, cursor_commit. */
  readonly operation: string;
  readonly signal?: AbortSignal | undefined;
  /** Attempts for this call, when not `retry.maxAttempts` (a sink's own `maxAttempts`). */
  readonly maxAttempts?: number | undefined;
  readonly fields?: Record<string, unknown>;
}

/**
 * The daemon's one retry policy, built once from `config.retry`, the logger, the sleep and the
 * randomness, so that nothing below re-packs them for every call: a call names only what it does.
 */
export class Retrier {
  constructor(private readonly options: RetrierOptions) {}

  run<T>(operation: (attempt: number) => Promise<T>, call: RetryCall): Promise<T> {
    const { retry, logger, sleep, random, onWait } = this.options;
    return withRetry(operation, {
      what: call.what,
      maxAttempts: call.maxAttempts ?? retry.maxAttempts,
      backoff: retry,
      logger,
      sleep,
      signal: call.signal,
      ...(call.fields ? { fields: call.fields } : {}),
      ...(random ? { random } : {}),
      ...(onWait ? { onWait: ({ delayMs, rateLimited }) => onWait(call.operation, delayMs, rateLimited) } : {}),
    });
  }
}
