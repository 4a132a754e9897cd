import { AsyncLocalStorage } from 'node:async_hooks';
import { WorkOS } from '@workos-inc/node';
import { parseRetryAfter, type RetryAfterPolicy } from '../retry/retry-after.js';
import type { RateBudget } from './rate-budget.js';
import { classifyWorkOSError } from './classify-error.js';

/** Query values for a GET; undefined and empty values are left out of the URL (the SDK's rule). */
export type ApiQuery = Record<string, string | number | undefined>;

export interface WorkOSApi {
  /** One GET, no retries (the caller owns backoff); resolves with the JSON body, throws a classified WesError. */
  get(path: string, query: ApiQuery, signal?: AbortSignal): Promise<unknown>;
}

export interface WorkOSApiOptions {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly retryAfter: RetryAfterPolicy;
  readonly now?: () => number;
  /** Every request (catch-up, retries, idle polls, listings) takes a token first; a 429 blocks it for Retry-After. */
  readonly budget?: RateBudget | undefined;
  /** Told of every answer's status, or `network` when none came (metrics). */
  readonly onResponse?: (status: number | 'network') => void;
  /** Told of every wait for the budget, in ms (metrics). */
  readonly onBudgetWait?: (ms: number) => void;
  /** For tests; defaults to the global fetch. */
  readonly fetch?: typeof fetch;
}

/** Per-request state shared with the fetch wrapper below, safe with concurrent requests. */
interface RequestScope {
  readonly signal: AbortSignal | undefined;
  retryAfter: string | null;
  /** Where a redirect pointed: the SDK (12+) does not follow redirects. */
  location: string | null;
  /** Status of the answer that came, if one did: a 408 without one is the SDK's own timeout. */
  answered: number | undefined;
}

/**
 * Raw GETs through the SDK's `get`, so bodies arrive exactly as WorkOS sent them (`listEvents`
 * and friends camel-case and drop fields). The SDK's own retries are off (`maxRetries: 0`):
 * backoff, metrics and shutdown belong to the daemon. The shutdown signal goes to the SDK's `get`
 * (12+), which aborts the request and its body with it. A fetch wrapper keeps what the SDK's
 * errors leave out: the raw `Retry-After` (the SDK reads only its seconds form), a redirect's
 * `Location`, and whether any answer came at all.
 */
export function createWorkOSApi(options: WorkOSApiOptions): WorkOSApi {
  const url = new URL(options.baseUrl);
  const scope = new AsyncLocalStorage<RequestScope>();
  const baseFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const fetchFn: typeof fetch = async (input, init) => {
    const current = scope.getStore();
    let response: Response;
    try {
      response = await baseFetch(input, init);
    } catch (err) {
      if (!current?.signal?.aborted) options.onResponse?.('network');
      throw err;
    }
    options.onResponse?.(response.status);
    if (current) {
      current.retryAfter = response.headers.get('retry-after');
      current.location = response.headers.get('location');
      current.answered = response.status;
    }
    return response;
  };
  const workos = new WorkOS(options.apiKey, {
    apiHostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    https: url.protocol === 'https:',
    timeout: options.timeoutMs,
    maxRetries: 0,
    fetchFn,
  });

  return {
    async get(path, query, signal) {
      if (options.budget) {
        const waited = await options.budget.take(signal);
        if (waited > 0) options.onBudgetWait?.(waited);
      }
      const state: RequestScope = { signal, retryAfter: null, location: null, answered: undefined };
      try {
        const response = await scope.run(state, () => workos.get(path, { query, signal }));
        return response.data;
      } catch (err) {
        const failure = classifyWorkOSError(err, {
          baseUrl: options.baseUrl,
          path,
          retryAfterMs: parseRetryAfter(state.retryAfter, options.retryAfter, now()),
          signal,
          answered: state.answered,
          location: state.location,
          timeoutMs: options.timeoutMs,
        });
        // Every instance sharing the budget holds back until Retry-After has passed, not only this request.
        if (failure.code === 'WES_ERR_WORKOS_RATE_LIMITED' && options.budget) await options.budget.blockFor(failure.retryAfterMs ?? 0);
        throw failure;
      }
    },
  };
}
