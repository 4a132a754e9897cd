import { abortedError, WesError } from '../errors.js';

interface SdkErrorShape {
  status?: unknown;
  rawStatus?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
}

/**
 * The HTTP status behind an SDK error. The SDK reports a non-JSON body (an HTML 502 from a proxy)
 * as a ParseError with `rawStatus`, wrapped in a plain Error for error statuses; and a ParseError
 * always claims `status` 500, so `rawStatus` wins. Network failures have no status at all.
 */
export function statusOf(err: unknown): number | undefined {
  const e = err as SdkErrorShape | undefined;
  const cause = e?.cause as SdkErrorShape | undefined;
  for (const candidate of [e?.rawStatus, cause?.rawStatus, e?.status]) {
    if (typeof candidate === 'number') return candidate;
  }
  return undefined;
}

function detailOf(err: unknown): string {
  const e = err as SdkErrorShape;
  // The SDK folds a 422's error codes into a multi-line message: keep it on one line.
  const message = typeof e.message === 'string' && e.message ? e.message.replace(/\s+/g, ' ').trim() : 'no message';
  const fields = Array.isArray(e.errors)
    ? e.errors.map((x: { code?: string; field?: string }) => [x.field, x.code].filter(Boolean).join(': ')).join(', ')
    : '';
  return fields ? `${message} [${fields}]` : message;
}

export interface ClassifyContext {
  readonly baseUrl: string;
  readonly path?: string;
  readonly retryAfterMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Status of the HTTP answer the request got, if any (seen by the fetch wrapper). */
  readonly answered?: number | undefined;
  /** workos.timeoutMs, for the message when the client gave up waiting. */
  readonly timeoutMs?: number;
  /** A redirect's `Location` header, if the answer was one. */
  readonly location?: string | null | undefined;
}

/**
 * Maps a failed `GET /events` to a WesError by status, never by message text: network errors,
 * 408, 429 and 5xx are retryable; 4xx are not, with a reason that says what to change.
 */
export function classifyWorkOSError(err: unknown, context: ClassifyContext): WesError {
  const path = context.path ?? '/events';
  if (context.signal?.aborted) return abortedError();
  const status = statusOf(err);
  const cause = err;
  if (status === undefined) {
    const inner = (err as SdkErrorShape).cause ?? err;
    const reason = inner instanceof Error ? `${inner.message}${inner.cause instanceof Error ? `: ${inner.cause.message}` : ''}` : String(inner);
    return new WesError('WES_ERR_WORKOS_UNAVAILABLE', `could not reach WorkOS at ${context.baseUrl}: ${reason}`, { retryable: true, cause });
  }
  if (status >= 200 && status < 300) {
    return new WesError('WES_ERR_MALFORMED_PAGE', `malformed ${path} page: the ${status} body is not JSON`, { retryable: true, cause });
  }
  // The SDK (12+) does not follow redirects; neither does the http sink. A redirect is a wrong address, not an outage.
  if (status >= 300 && status < 400) {
    const to = context.location ? ` to ${context.location}` : '';
    return new WesError('WES_ERR_WORKOS_REJECTED', `WorkOS answered a redirect (${status}${to}) for ${path}: redirects are not followed; set workos.baseUrl (${context.baseUrl}) to the API's own address`, { cause, httpStatus: status });
  }
  if (status === 429) {
    return new WesError('WES_ERR_WORKOS_RATE_LIMITED', `WorkOS rate limit reached (429)`, { retryable: true, retryAfterMs: context.retryAfterMs, cause, httpStatus: status });
  }
  // The SDK reports its own timeout as a 408 too; only an answer that said 408 is WorkOS's.
  if (status === 408 && context.answered !== 408 && context.timeoutMs !== undefined) {
    const what = context.answered === undefined ? 'no answer from WorkOS' : `the ${context.answered} answer from WorkOS did not arrive in full`;
    return new WesError('WES_ERR_WORKOS_UNAVAILABLE', `${what} at ${context.baseUrl} within ${context.timeoutMs} ms (workos.timeoutMs)`, { retryable: true, cause });
  }
  if (status === 408 || status >= 500) {
    const html = (err as SdkErrorShape).cause !== undefined || (err as SdkErrorShape).rawStatus !== undefined ? ' with a non-JSON body' : '';
    return new WesError('WES_ERR_WORKOS_UNAVAILABLE', `WorkOS answered ${status}${html}`, { retryable: true, cause, httpStatus: status });
  }
  if (status === 401) {
    return new WesError('WES_ERR_WORKOS_UNAUTHORIZED', 'WorkOS refused the API key (401): WORKOS_API_KEY is wrong, revoked, or from another environment; the network is fine', { cause, httpStatus: status });
  }
  if (status === 403) {
    return new WesError('WES_ERR_WORKOS_FORBIDDEN', `WorkOS answered 403 for ${path}: this API key may not read it; use a secret key with access to that API`, { cause, httpStatus: status });
  }
  if (status === 404) {
    return new WesError('WES_ERR_WORKOS_REJECTED', `WorkOS answered 404 for ${path}: is workos.baseUrl (${context.baseUrl}) the WorkOS API?`, { cause, httpStatus: status });
  }
  if (status === 422) {
    return new WesError('WES_ERR_WORKOS_REJECTED', `WorkOS refused the request (422): ${detailOf(err)}; check "events" and "organizationId" in the config`, { cause, httpStatus: status });
  }
  return new WesError('WES_ERR_WORKOS_REJECTED', `WorkOS refused the request (${status}): ${detailOf(err)}; if it names the cursor, fix it with "workos-events-sync cursor set|reset"`, { cause, httpStatus: status });
}
