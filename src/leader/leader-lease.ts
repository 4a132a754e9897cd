import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Fence } from '../cursor/cursor-store.js';

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
  readonly now?: () => number;
  /** Defaults to `host:pid:random`, so a person reading the key sees who holds it. */
  readonly token?: string;
}

/**
 * A lease in Redis (`SET key token NX PX ttl`) saying which instance may poll and commit.
 * `heldUntil` is this instance's own, conservative view: the time of the last successful
 * acquire or renew plus the TTL. The cursor commit is fenced on the token in Redis itself, so
 * a wrong local view can delay work but never let two instances commit.
 */
export class LeaderLease {
  readonly key: string;
  readonly token: string;
  private readonly redis: Redis;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private heldUntil = 0;

  constructor(options: LeaderLeaseOptions) {
    this.redis = options.redis;
    this.key = options.key;
    this.ttlMs = options.ttlMs;
    this.now = options.now ?? Date.now;
    this.token = options.token ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  get fence(): Fence {
    return { leaseKey: this.key, token: this.token };
  }

  /** True while the last acquire or renew is younger than the TTL. */
  isHeld(): boolean {
    return this.now() < this.heldUntil;
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
