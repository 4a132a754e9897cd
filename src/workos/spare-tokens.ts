export interface SparePolicy {
  /** Most tokens one trip to the shared bucket asks for. */
  readonly max: number;
  /** A take this soon after the previous one is part of a catch-up. */
  readonly backToBackMs: number;
  /** A spare not used within this long is dropped: tokens are never hoarded past when they were due. */
  readonly ttlMs: number;
}

/**
 * Tokens this instance took from the shared bucket ahead of need, and how many to ask for next.
 * Takes that come back to back (a drain catching up) ask for twice as many per trip, up to
 * `max`; a take after a pause (an idle poll, a doorbell) asks for one. So idle polling never takes
 * more than it uses, and a catch-up leaves at most a trip's worth unused when it ends.
 */
export class SpareTokens {
  private count = 0;
  private takenAt = Number.NEGATIVE_INFINITY;
  private lastTakeAt = Number.NEGATIVE_INFINITY;
  private want = 1;

  constructor(private readonly policy: SparePolicy) {}

  /** Uses a spare taken less than `ttlMs` ago; false when there is none (a stale one is dropped). */
  take(now: number): boolean {
    if (this.count > 0 && now - this.takenAt < this.policy.ttlMs) {
      this.count--;
      this.lastTakeAt = now;
      return true;
    }
    this.count = 0;
    return false;
  }

  get left(): number {
    return this.count;
  }

  /** The last trip asked for more than one token: takes are coming back to back. */
  get catchingUp(): boolean {
    return this.want > 1;
  }

  /** How many tokens the trip about to be made should ask for. */
  wanted(now: number): number {
    this.want = now - this.lastTakeAt < this.policy.backToBackMs ? Math.min(this.policy.max, this.want * 2) : 1;
    this.lastTakeAt = now;
    return this.want;
  }

  /** `count` tokens granted and not used yet. */
  keep(count: number, now: number): void {
    this.count = count;
    this.takenAt = now;
  }

  /** After a 429, nothing taken before it may go out. */
  drop(): void {
    this.count = 0;
  }
}
