import { abortedError } from '../errors.js';
import { parseRetryAfter, type RetryAfterPolicy } from '../retry/retry-after.js';
import type { RateBudget } from './rate-budget.js';
import { classifyFailure } from './classify-error.js';
import { whenRequestSent } from './request-sent.js';

/** Query values for a GET; undefined and empty values are left out of the URL (the SDK's rule). */
export type ApiQuery = Record<string, string | number | undefined>;

export interface WorkOSApi {
  /**
   * One GET, no retries (the caller owns backoff); resolves with the JSON body, throws a
   * classified WesError. `onSent` is called once the request is on the wire, if Node's fetch says so.
   */
  get(path: string, query: ApiQuery, signal?: AbortSignal, onSent?: () => void): Promise<unknown>;
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

/** Why the request's own controller fired: our timeout, not the caller's shutdown. */
const TIMED_OUT = Symbol('timed out');

function urlOf(origin: string, path: string, query: ApiQuery): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.append(name, String(value));
  }
  const search = params.toString();
  return `${origin}${path}${search ? `?${search}` : ''}`;
}

/**
 * GETs to the WorkOS API with Node's fetch: the raw JSON exactly as WorkOS sent it (the SDK's
 * `listEvents` and friends camel-case and drop fields), with the daemon's own budget, timeout,
 * classification and shutdown. The SDK's `get` did the same with a second layer of headers,
 * timers and errors whose status, Retry-After and Location had to be fished back out; on the
 * hot path of a catch-up that cost about a quarter of the CPU of a page (bench/README.md), and
 * WorkOS documents `GET /events` as plain HTTP. The SDK stays for what it owns: webhook signatures.
 * No redirect is followed (a wrong baseUrl is a config error), as with SDK 12.
 */
export function createWorkOSApi(options: WorkOSApiOptions): WorkOSApi {
  const { origin } = new URL(options.baseUrl);
  const doFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const headers = { Authorization: `Bearer ${options.apiKey}`, Accept: 'application/json', 'User-Agent': 'workos-events-sync' };

  return {
    async get(path, query, signal, onSent) {
      if (options.budget) {
        const waited = await options.budget.take(signal);
        if (waited > 0) options.onBudgetWait?.(waited);
      }
      if (signal?.aborted) throw abortedError();
      const url = urlOf(origin, path, query);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(TIMED_OUT), options.timeoutMs);
      const onAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const stopWaiting = onSent ? whenRequestSent(url, onSent) : undefined;
      const context = { baseUrl: options.baseUrl, path, signal, timeoutMs: options.timeoutMs };
      let response: Response;
      try {
        try {
          response = await doFetch(url, { headers, signal: controller.signal, redirect: 'manual' });
        } catch (err) {
          if (!signal?.aborted) options.onResponse?.('network');
          throw classifyFailure({ ...context, cause: err, timedOut: controller.signal.reason === TIMED_OUT });
        } finally {
          stopWaiting?.();
        }
        options.onResponse?.(response.status);
        let text: string;
        try {
          text = await response.text();
        } catch (err) {
          throw classifyFailure({ ...context, cause: err, answered: response.status, timedOut: controller.signal.reason === TIMED_OUT });
        }
        const body = parseJson(text);
        if (response.ok && body !== NOT_JSON) return body;
        const failure = classifyFailure({
          ...context,
          answered: response.status,
          body: body === NOT_JSON ? undefined : body,
          notJson: body === NOT_JSON,
          location: response.headers.get('location'),
          retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), options.retryAfter, now()),
        });
        // Every instance sharing the budget holds back until Retry-After has passed, not only this request.
        if (failure.code === 'WES_ERR_WORKOS_RATE_LIMITED' && options.budget) await options.budget.blockFor(failure.retryAfterMs ?? 0);
        throw failure;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}
