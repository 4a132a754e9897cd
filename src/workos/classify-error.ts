import { abortedError, WesError } from '../errors.js';

/** What a WorkOS error body may say: `{ message }`, and for a 422 `{ errors: [{ code, field }] }`. */
interface ErrorBody {
  readonly message?: unknown;
  readonly error?: unknown;
  readonly errors?: unknown;
}

function detailOf(body: unknown): string {
  const b = (body ?? {}) as ErrorBody;
  const text = typeof b.message === 'string' && b.message ? b.message : typeof b.error === 'string' && b.error ? b.error : 'no message';
  const message = text.replace(/\s+/g, ' ').trim();
  const fields = Array.isArray(b.errors)
    ? b.errors.map((x: { code?: string; field?: string }) => [x.field, x.code].filter(Boolean).join(': ')).join(', ')
    : '';
  return fields ? `${message} [${fields}]` : message;
}

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? `${cause.message}${cause.cause instanceof Error ? `: ${cause.cause.message}` : ''}` : String(cause);
}

export interface RequestFailure {
  readonly baseUrl: string;
  readonly path: string;
  readonly signal?: AbortSignal | undefined;
  /** workos.timeoutMs, for the message when the client gave up waiting. */
  readonly timeoutMs: number;
  /** What fetch threw (no answer, or the body broke off), if it threw. */
  readonly cause?: unknown;
  /** The client's own timeout fired. */
  readonly timedOut?: boolean;
  /** Status of the HTTP answer, if one came. */
  readonly answered?: number | undefined;
  /** The answer's JSON body, if it had one. */
  readonly body?: unknown;
  /** The answer's body was not JSON (an HTML page from a proxy). */
  readonly notJson?: boolean;
  /** A redirect's `Location` header. */
  readonly location?: string | null | undefined;
  /** What Retry-After said (or the policy's default), for a 429. */
  readonly retryAfterMs?: number;
}

/**
 * Maps a failed WorkOS request to a WesError by what happened and the status, never by message
 * text: no answer, a timeout, 408, 429 and 5xx are retryable; other 4xx are not, with a reason
 * that says what to change.
 */
export function classifyFailure(failure: RequestFailure): WesError {
  const { path, baseUrl, answered: status } = failure;
  if (failure.signal?.aborted) return abortedError();
  const cause = failure.cause;
  if (failure.timedOut) {
    const what = status === undefined ? 'no answer from WorkOS' : `the ${status} answer from WorkOS did not arrive in full`;
    return new WesError('WES_ERR_WORKOS_UNAVAILABLE', `${what} at ${baseUrl} within ${failure.timeoutMs} ms (workos.timeoutMs)`, { retryable: true, cause });
  }
  if (status === undefined || cause !== undefined) {
    const answer = status === undefined ? '' : ` (the ${status} answer broke off)`;
    return new WesError('WES_ERR_WORKOS_UNAVAILABLE', `could not reach WorkOS at ${baseUrl}${answer}: ${reasonOf(cause)}`, { retryable: true, cause });
  }
  if (status >= 200 && status < 300) {
    return new WesError('WES_ERR_MALFORMED_PAGE', `malformed ${path} page: the ${status} body is not JSON`, { retryable: true });
  }
  // Redirects are not followed (nor by the http sink): a redirect is a wrong address, not an outage.
  if (status >= 300 && status < 400) {
    const to = failure.location ? ` to ${failure.location}` : '';
    return new WesError('WES_ERR_WORKOS_REJECTED', `WorkOS answered a redirect (${status}${to}) for ${path}: redirects are not followed; set workos.baseUrl (${baseUrl}) to the API's own address`, { httpStatus: status });
  }
  if (status === 429) {
    return new WesError('WES_ERR_WORKOS_RATE_LIMITED', `WorkOS rate limit reached (429)`, { retryable: true, retryAfterMs: failure.retryAfterMs, httpStatus: status });
  }
  if (status === 408 || status >= 500) {
    return new WesError('WES_ERR_WORKOS_UNAVAILABLE', `WorkOS answered ${status}${failure.notJson ? ' with a non-JSON body' : ''}`, { retryable: true, httpStatus: status });
  }
  if (status === 401) {
    return new WesError('WES_ERR_WORKOS_UNAUTHORIZED', 'WorkOS refused the API key (401): WORKOS_API_KEY is wrong, revoked, or from another environment; the network is fine', { httpStatus: status });
  }
  if (status === 403) {
    return new WesError('WES_ERR_WORKOS_FORBIDDEN', `WorkOS answered 403 for ${path}: this API key may not read it; use a secret key with access to that API`, { httpStatus: status });
  }
  if (status === 404) {
    return new WesError('WES_ERR_WORKOS_REJECTED', `WorkOS answered 404 for ${path}: is workos.baseUrl (${baseUrl}) the WorkOS API?`, { httpStatus: status });
  }
  if (status === 422) {
    return new WesError('WES_ERR_WORKOS_REJECTED', `WorkOS refused the request (422): ${detailOf(failure.body)}; check "events" and "organizationId" in the config`, { httpStatus: status });
  }
  return new WesError('WES_ERR_WORKOS_REJECTED', `WorkOS refused the request (${status}): ${detailOf(failure.body)}; if it names the cursor, fix it with "workos-events-sync cursor set|reset"`, { httpStatus: status });
}
