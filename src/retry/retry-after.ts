export interface RetryAfterPolicy {
  /** Used when the header is absent or unreadable, in ms. */
  readonly defaultMs: number;
  /** No single wait is longer than this, in ms: a proxy's odd date must not park the daemon for hours. */
  readonly maxMs: number;
}

/**
 * Reads `Retry-After` as delay-seconds (`"2"`, `"1.5"`) or an HTTP date, relative to `nowMs`,
 * and caps it. A date in the past means "now" (0 ms).
 */
export function parseRetryAfter(header: string | null | undefined, policy: RetryAfterPolicy, nowMs: number): number {
  const value = header?.trim();
  if (!value) return Math.min(policy.defaultMs, policy.maxMs);
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) ms = Number(value) * 1000;
  else {
    const at = Date.parse(value);
    if (Number.isNaN(at)) return Math.min(policy.defaultMs, policy.maxMs);
    ms = Math.max(0, at - nowMs);
  }
  return Math.min(Math.ceil(ms), policy.maxMs);
}
