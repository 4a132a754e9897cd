import { AsyncLocalStorage } from 'node:async_hooks';
import { WorkOS } from '@workos-inc/node';
import { parseRetryAfter, type RetryAfterPolicy } from '../retry/retry-after.js';
import type { RateBudget } from './rate-budget.js';
import { classifyWorkOSError } from './classify-error.js';
import { parseEventsPage, type EventsPage } from './parse-events-page.js';

/** What one `GET /events` asks for. `after` and `rangeStart` are mutually exclusive (WorkOS's rule). */
export interface EventsQuery {
  readonly limit: number;
  readonly after?: string | undefined;
  readonly rangeStart?: string | undefined;
  readonly events: readonly string[];
  readonly organizationId?: string | undefined;
}

export interface EventsClient {
  /** One request, no retries (the caller owns backoff); throws a classified WesError. */
  fetchPage(query: EventsQuery, signal?: AbortSignal): Promise<EventsPage>;
}

export interface EventsClientOptions {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly retryAfter: RetryAfterPolicy;
  readonly now?: () => number;
  /** Every request (catch-up, retries, idle polls) takes a token first; a 429 blocks it for Retry-After. */
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
}

/**
 * `GET /events` through the SDK's raw `get`, so events reach the sinks exactly as WorkOS sent them
 * (`listEvents` camel-cases and drops fields). The SDK's own retries are off (`maxRetries: 0`):
 * backoff, metrics and shutdown belong to the daemon. A fetch wrapper adds the shutdown signal
 * and keeps the raw `Retry-After`, since the SDK reads only its seconds form.
 */
export function createEventsClient(options: EventsClientOptions): EventsClient {
  const url = new URL(options.baseUrl);
  const scope = new AsyncLocalStorage<RequestScope>();
  const baseFetch = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const fetchFn: typeof fetch = async (input, init) => {
    const current = scope.getStore();
    const signals = [init?.signal, current?.signal].filter((s): s is AbortSignal => s != null);
    let response: Response;
    try {
      response = await baseFetch(input, { ...init, signal: signals.length > 0 ? AbortSignal.any(signals) : null });
    } catch (err) {
      if (!current?.signal?.aborted) options.onResponse?.('network');
      throw err;
    }
    options.onResponse?.(response.status);
    if (current) current.retryAfter = response.headers.get('retry-after');
    return response;
  };
  const workos = new WorkOS(options.apiKey, {
    apiHostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    https: url.protocol === 'https:',
    timeout: options.timeoutMs,
    maxRetries: 0,
    fetchFn,
  } as ConstructorParameters<typeof WorkOS>[1]);

  return {
    async fetchPage(query, signal) {
      const state: RequestScope = { signal, retryAfter: null };
      const params: Record<string, string | number | undefined> = {
        // Always explicit: the documented default is `desc`, which would walk the stream backwards.
        order: 'asc',
        limit: query.limit,
        after: query.after,
        range_start: query.after ? undefined : query.rangeStart,
        events: query.events.length > 0 ? query.events.join(',') : undefined,
        organization_id: query.organizationId,
      };
      if (options.budget) {
        const waited = await options.budget.take(signal);
        if (waited > 0) options.onBudgetWait?.(waited);
      }
      let body: unknown;
      try {
        const response = await scope.run(state, () => workos.get('/events', { query: params }));
        body = response.data;
      } catch (err) {
        const failure = classifyWorkOSError(err, {
          baseUrl: options.baseUrl,
          retryAfterMs: parseRetryAfter(state.retryAfter, options.retryAfter, now()),
          signal,
        });
        // Every instance sharing the budget holds back until Retry-After has passed, not only this request.
        if (failure.code === 'WES_ERR_WORKOS_RATE_LIMITED' && options.budget) await options.budget.blockFor(failure.retryAfterMs ?? 0);
        throw failure;
      }
      return parseEventsPage(body);
    },
  };
}
