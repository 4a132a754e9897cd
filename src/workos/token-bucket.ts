/** How big a bucket is and how fast it refills. */
export interface BucketShape {
  /** Most tokens the bucket holds: the largest burst of requests, sent back to back. */
  readonly capacity: number;
  /** Refill rate, in tokens per ms (requests per minute / 60 000). */
  readonly tokensPerMs: number;
}

/** A bucket as last written: its tokens at `updatedAt` (ms on whatever clock the caller uses). */
export interface BucketState {
  readonly tokens: number;
  readonly updatedAt: number;
}

/** A bucket read at some instant. */
export interface BucketReading {
  /** Tokens now, refilled and capped at capacity; may be fractional. */
  readonly tokens: number;
  /** Ms until one whole token is there; 0 when one is there now. */
  readonly waitMs: number;
  /** When this reading was taken: never before the state's `updatedAt`. */
  readonly at: number;
}

/**
 * Refill arithmetic is in floating point, so a sleep of exactly the computed wait can leave
 * 0.9999999 tokens; without this slack every such take would wait one more needless ms.
 */
const EPSILON = 1e-9;

/**
 * Refills `state` up to `now` and says how long until one token. A clock that steps back counts
 * as no time passing (and the reading keeps the later instant), so time is never credited twice.
 */
export function readBucket(state: BucketState, shape: BucketShape, now: number): BucketReading {
  const at = Math.max(state.updatedAt, now);
  const tokens = Math.min(shape.capacity, state.tokens + (at - state.updatedAt) * shape.tokensPerMs);
  const waitMs = tokens >= 1 - EPSILON ? 0 : Math.ceil((1 - tokens) / shape.tokensPerMs);
  return { tokens, waitMs, at };
}

/** Takes one token if there is one: the new state, or how long to wait (state refilled, nothing taken). */
export function takeToken(state: BucketState, shape: BucketShape, now: number): { state: BucketState; waitMs: number } {
  const reading = readBucket(state, shape, now);
  if (reading.waitMs > 0) return { state: { tokens: reading.tokens, updatedAt: reading.at }, waitMs: reading.waitMs };
  return { state: { tokens: Math.max(0, reading.tokens - 1), updatedAt: reading.at }, waitMs: 0 };
}
