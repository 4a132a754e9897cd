import { takeToken, type BucketShape, type BucketState } from './token-bucket.js';

/**
 * A token bucket and a 429 block held in this process: the whole local budget, and the shared
 * budget's stand-in while Redis is away. Synchronous, so two callers can never take one token.
 */
export class LocalBucket {
  private state: BucketState;
  private blockedUntil = Number.NEGATIVE_INFINITY;

  constructor(private readonly shape: BucketShape, private readonly now: () => number) {
    // A fresh budget starts full: the first burst goes out at once.
    this.state = { tokens: shape.capacity, updatedAt: now() };
  }

  /** Takes a token and returns 0, or returns the ms to wait before asking again. */
  tryTake(): number {
    const blocked = this.blockedMs();
    if (blocked > 0) return blocked;
    const { state, waitMs } = takeToken(this.state, this.shape, this.now());
    this.state = state;
    return waitMs;
  }

  /** Ms left of the block set by `blockFor`, or 0. */
  blockedMs(): number {
    return Math.max(0, Math.ceil(this.blockedUntil - this.now()));
  }

  /** No token for `ms` from now; a shorter block never cuts a longer one short. */
  blockFor(ms: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
  }
}
