export interface BackoffPolicy {
  /** Ceiling of the first delay, in ms. */
  readonly minDelayMs: number;
  /** Largest delay, in ms. */
  readonly maxDelayMs: number;
}

/**
 * "Full jitter" exponential backoff: a uniform delay in [0, min(max, min * 2^(attempt-1))].
 * Spreading retries over the whole range keeps several replicas (or a restart storm) from
 * hitting WorkOS in lock-step. `random` is injected so tests are deterministic.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}
