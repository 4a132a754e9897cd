import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Fence } from '../cursor/cursor-store.js';
import { WesError } from '../errors.js';

/** Extends the lease only if this token still holds it (never revives someone else's). */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

/** Deletes the lease only if this token holds it, so a standby can take over at once. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export interface LeaderLeaseOptions {
  readonly redis: Redis;
  readonly key: string;
  readonly ttlMs: number;
  /**
   * How long before the end of its own view of the lease this instance stops starting sink
   * requests. It covers clock drift against Redis and the round trip of the renewal. Default: a
   * fifth of the TTL.
   */
  readonly safetyMarginMs?: number | undefined;
  /** A monotonic clock in ms (default `performance.now`): a wall clock moved by NTP must not stretch a lease. */
  readonly now?: () => number;
  /** Defaults to `host:pid:random`, so a person reading the key sees who holds it. */
  readonly token?: string;
}

/**
 * A lease in Redis (`SET key token NX PX ttl`) saying which instance may poll and commit.
 * `heldUntil` is this instance's own, conservative view: the time (on its monotonic clock) at
 * which the last successful acquire or renew was sent, plus the TTL. The cursor commit is fenced
 * on the token in Redis itself, so a wrong local view can never let two instances commit. Sink
 * writes cannot be fenced in Redis, so they are gated on the local view instead, minus a margin
 * (`assertMayWrite`): a process paused past its lease (SIGSTOP, a long GC, a frozen VM) stops
 * before its next sink request instead of finishing its page beside the new leader.
 */
export class LeaderLease {
  readonly key: string;
  readonly token: string;
  private readonly redis: Redis;
  private readonly ttlMs: number;
  private readonly marginMs: number;
  private readonly now: () => number;
  private heldUntil = 0;

  constructor(options: LeaderLeaseOptions) {
    this.redis = options.redis;
    this.key = options.key;
    this.ttlMs = options.ttlMs;
    this.marginMs = options.safetyMarginMs ?? defaultSafetyMarginMs(options.ttlMs);
    this.now = options.now ?? (() => performance.now());
    this.token = options.token ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  get fence(): Fence {
    return { leaseKey: this.key, token: this.token };
  }

  /** True while the last acquire or renew is younger than the TTL. */
  isHeld(): boolean {
    return this.now() < this.heldUntil;
  }

  /**
   * Throws WES_ERR_LEASE_LOST unless the lease is still ours by this process's own clock, with
   * the safety margin to spare. Called before every sink request, so it is only a comparison.
   */
  assertMayWrite(): void {
    const overdueMs = this.now() - (this.heldUntil - this.marginMs);
    if (overdueMs < 0) return;
    const why = this.heldUntil === 0
      ? 'this instance does not hold the leader lease'
      : `this instance's leader lease ran out by its own clock ${Math.round(overdueMs)} ms ago (was the process paused, or cut off from Redis?)`;
    throw new WesError('WES_ERR_LEASE_LOST', `${why}; it starts no more sink requests until it holds the lease again`);
  }

  /** Takes the lease if free, or renews it if already ours. Throws when Redis is unreachable. */
  async acquireOrRenew(): Promise<boolean> {
    const started = this.now();
    if (await this.renew(started)) return true;
    const taken = await this.redis.set(this.key, this.token, 'PX', this.ttlMs, 'NX');
    if (taken === 'OK') {
      this.heldUntil = started + this.ttlMs;
      return true;
    }
    this.heldUntil = 0;
    return false;
  }

  private async renew(started: number): Promise<boolean> {
    const renewed = await this.redis.eval(RENEW, 1, this.key, this.token, String(this.ttlMs));
    if (renewed === 1) {
      // Measured from before the round trip: the lease may have been renewed a little earlier than we learn.
      this.heldUntil = started + this.ttlMs;
      return true;
    }
    return false;
  }

  /** Who holds the lease now (their token), or null. */
  async holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }

  async release(): Promise<void> {
    this.heldUntil = 0;
    await this.redis.eval(RELEASE, 1, this.key, this.token);
  }
}

/** A fifth of the TTL: 3 s of the default 15 s, and still below the TTL minus a renew interval (at most half of it). */
export function defaultSafetyMarginMs(ttlMs: number): number {
  return Math.floor(ttlMs / 5);
}
