import { WesError } from '../../errors.js';
import { parseRetryAfter, type RetryAfterPolicy } from '../../retry/retry-after.js';

/**
 * How long a 429 (or a 503 that says so) asks us to wait. The same defaults as
 * `retry.defaultRetryAfterMs` and `retry.maxRetryAfterMs`: a sink does not see the global config,
 * and a receiver's odd date must not park the pipeline for hours.
 */
const RETRY_AFTER_POLICY: RetryAfterPolicy = { defaultMs: 5_000, maxMs: 120_000 };

/** What was being delivered where, for messages a person reads. */
export interface DeliveryTarget {
  readonly sinkName: string;
  /** "event event_01H..." or "a batch of 100 events". */
  readonly what: string;
  /** The receiver's URL without credentials or query (see displayUrl). */
  readonly url: string;
}

/**
 * Statuses worth trying again: timeouts, rate limits, server trouble. 409 is here too: the IETF
 * Idempotency-Key draft answers 409 while a request with the same key is still being processed,
 * which is what a retry after our own timeout meets.
 */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function hint(status: number): string {
  if (status === 401 || status === 403) return ' (does `secret` match the handler\'s webhook secret, and do `headers` carry what it needs?)';
  if (status >= 300 && status < 400) return ' (redirects are not followed, because they can turn the POST into a GET: set `url` to the final address)';
  return '';
}

/**
 * Classifies a receiver's answer by its status alone: 2xx accepted (undefined), 408, 409, 429
 * and 5xx retryable, anything else (other 4xx, 3xx) rejected. A 429's `Retry-After` becomes
 * `retryAfterMs` (default 5 s when absent, capped at 120 s); a 503's only when it sends one.
 */
export function classifyResponse(response: { status: number; statusText: string; headers: Headers }, bodySnippet: string, target: DeliveryTarget, nowMs: number): WesError | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  const retryable = isRetryableStatus(status);
  const retryAfter = response.headers.get('retry-after');
  const retryAfterMs = status === 429 || (status === 503 && retryAfter !== null)
    ? parseRetryAfter(retryAfter, RETRY_AFTER_POLICY, nowMs)
    : undefined;
  const body = bodySnippet.trim() ? `: ${bodySnippet.trim()}` : '';
  const message = `sink "${target.sinkName}" could not deliver ${target.what} to ${target.url}: the receiver answered ${status}${response.statusText ? ` ${response.statusText}` : ''}${hint(status)}${body}`;
  return new WesError(retryable ? 'WES_ERR_SINK_UNAVAILABLE' : 'WES_ERR_SINK_REJECTED', message, {
    retryable,
    cause: { status, retryAfter },
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** Why a request got no answer; decided by which signal fired, not by the error's text. */
export type RequestFailure = 'closed' | 'timeout' | 'network';

/**
 * A request that got no answer at all (connection refused or reset, DNS, TLS, our timeout, the
 * sink closing) is always retryable: the receiver may be back on the next attempt. `cause` keeps
 * undici's error, whose own `cause.code` (ECONNREFUSED, UND_ERR_SOCKET, ...) names the failure.
 */
export function classifyRequestError(err: unknown, failure: RequestFailure, timeoutMs: number, target: DeliveryTarget): WesError {
  // fetch throws a bare "fetch failed"; what happened is in its cause.
  const inner = (err as { cause?: unknown } | undefined)?.cause ?? err;
  const code = (inner as { code?: unknown } | undefined)?.code;
  const reason = failure === 'closed'
    ? 'the sink was closed during the request'
    : failure === 'timeout'
      ? `no answer within timeoutMs (${timeoutMs} ms)`
      : `the request failed${typeof code === 'string' ? ` (${code})` : ''}: ${inner instanceof Error ? inner.message : String(inner)}`;
  return new WesError('WES_ERR_SINK_UNAVAILABLE', `sink "${target.sinkName}" could not deliver ${target.what} to ${target.url}: ${reason}`, { retryable: true, cause: err });
}
