/**
 * One error type for the whole daemon. Callers branch on `code` and `retryable`, never on the
 * message text (which is for people). `cause` keeps the driver's or SDK's original error.
 */
export type ErrorCode =
  | 'WES_ERR_CONFIG'
  | 'WES_ERR_WORKOS_UNAVAILABLE'
  | 'WES_ERR_WORKOS_RATE_LIMITED'
  | 'WES_ERR_WORKOS_UNAUTHORIZED'
  | 'WES_ERR_WORKOS_FORBIDDEN'
  | 'WES_ERR_WORKOS_REJECTED'
  | 'WES_ERR_MALFORMED_PAGE'
  | 'WES_ERR_ORDER_VIOLATION'
  | 'WES_ERR_CURSOR_STORE_UNAVAILABLE'
  | 'WES_ERR_CURSOR_CORRUPT'
  | 'WES_ERR_SINK_UNAVAILABLE'
  | 'WES_ERR_SINK_REJECTED'
  | 'WES_ERR_DEAD_LETTER_UNAVAILABLE'
  | 'WES_ERR_LEASE_LOST'
  | 'WES_ERR_LEASE_HELD'
  | 'WES_ERR_FILTER_CHANGED'
  | 'WES_ERR_ABORTED';

/** Codes that a person fixes by changing the config, the key or the cursor: the CLI exits 78. */
const CONFIG_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'WES_ERR_CONFIG',
  'WES_ERR_WORKOS_UNAUTHORIZED',
  'WES_ERR_WORKOS_FORBIDDEN',
  'WES_ERR_WORKOS_REJECTED',
  'WES_ERR_FILTER_CHANGED',
]);

export interface WesErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** For 429s: how long the server asked us to wait, in ms. */
  retryAfterMs?: number;
  /** The HTTP status behind the failure, when there was an answer. */
  httpStatus?: number;
}

export class WesError extends Error {
  override readonly name = 'WesError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly httpStatus: number | undefined;

  constructor(code: ErrorCode, message: string, options: WesErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.httpStatus = options.httpStatus;
  }

  /** True when the fix is in the config, the API key or the cursor (exit code 78). */
  get isConfigProblem(): boolean {
    return CONFIG_CODES.has(this.code);
  }
}

/** A config that failed validation; `problems` holds one `path: reason` line each. */
export class ConfigError extends WesError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('WES_ERR_CONFIG', problems.length === 1 ? problems[0]! : `${problems.length} problems in the config: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

export function isWesError(err: unknown): err is WesError {
  return err instanceof WesError;
}

/** Shutdown in progress: not a failure, and never logged as one. */
export function abortedError(): WesError {
  return new WesError('WES_ERR_ABORTED', 'stopped by shutdown');
}

export function isAborted(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted) return true;
  return isWesError(err) && err.code === 'WES_ERR_ABORTED';
}

/** This instance lost (or let run out) the leader lease: it must stop writing, and nothing is retried or dead-lettered. */
export function isLeaseLost(err: unknown): boolean {
  return isWesError(err) && err.code === 'WES_ERR_LEASE_LOST';
}
