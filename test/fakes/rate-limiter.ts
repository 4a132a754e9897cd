export interface RateLimitDecision {
  allowed: boolean;
  /** Headers to send with every answer while the limiter is on (the emulator does too). */
  headers: Record<string, string>;
}

/**
 * A fixed one-minute window per API key, like WorkOS's emulator: the window opens on the first
 * request and resets 60 s later. Time comes from the fake's clock so tests can step it.
 */
export class FixedWindowRateLimiter {
  readonly perMinute: number;
  #windowStartMs: number | undefined;
  #used = 0;

  constructor(perMinute: number) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError(`perMinute must be a positive integer, got ${perMinute}`);
    this.perMinute = perMinute;
  }

  take(nowMs: number): RateLimitDecision {
    if (this.#windowStartMs === undefined || nowMs >= this.#windowStartMs + 60_000) {
      this.#windowStartMs = nowMs;
      this.#used = 0;
    }
    const resetMs = this.#windowStartMs + 60_000;
    const allowed = this.#used < this.perMinute;
    if (allowed) this.#used++;
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(this.perMinute),
      'X-RateLimit-Remaining': String(this.perMinute - this.#used),
      // Epoch seconds, as the emulator sends.
      'X-RateLimit-Reset': String(Math.ceil(resetMs / 1000)),
    };
    if (!allowed) headers['Retry-After'] = String(Math.max(1, Math.ceil((resetMs - nowMs) / 1000)));
    return { allowed, headers };
  }
}
