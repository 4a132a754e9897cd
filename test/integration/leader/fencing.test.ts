import { describe, expect, it } from 'vitest';
import { RedisCursorStore } from '../../../src/cursor/redis-cursor-store.js';
import { LeaderLease } from '../../../src/leader/leader-lease.js';
import { useWorld } from '../../support/world.js';

const w = useWorld();

describe('leader lease and fenced commits', () => {
  it('lets one instance hold the lease, and a standby take it only once it expired', async () => {
    const key = `${w.cursorKey}:lease`;
    let clock = 0;
    const a = new LeaderLease({ redis: w.redis, key, ttlMs: 300, now: () => clock, token: 'a' });
    const b = new LeaderLease({ redis: w.redis, key, ttlMs: 300, now: () => clock, token: 'b' });
    expect(await a.acquireOrRenew()).toBe(true);
    expect(await b.acquireOrRenew()).toBe(false);
    expect(await a.acquireOrRenew()).toBe(true);
    expect(a.isHeld()).toBe(true);
    clock += 301;
    expect(a.isHeld()).toBe(false);
    await new Promise((r) => setTimeout(r, 350));
    expect(await b.acquireOrRenew()).toBe(true);
    expect(await a.acquireOrRenew()).toBe(false);
    expect(await b.holder()).toBe('b');
  });

  it('lets the leader start sink requests only until its own view of the lease, minus the margin, runs out', async () => {
    let clock = 1_000;
    const lease = new LeaderLease({ redis: w.redis, key: `${w.cursorKey}:lease`, ttlMs: 1_000, safetyMarginMs: 200, now: () => clock, token: 'a' });
    expect(() => lease.assertMayWrite()).toThrow(/does not hold the leader lease/);
    expect(await lease.acquireOrRenew()).toBe(true);
    clock += 799;
    expect(() => lease.assertMayWrite()).not.toThrow();
    // A pause: the process wakes up past renewal time + ttl - margin, still believing it leads.
    clock += 1;
    expect(lease.isHeld()).toBe(true);
    expect(() => lease.assertMayWrite()).toThrow(expect.objectContaining({ code: 'WES_ERR_LEASE_LOST', retryable: false }));
    expect(await lease.acquireOrRenew()).toBe(true);
    expect(() => lease.assertMayWrite()).not.toThrow();
  });

  it('refuses a cursor commit from an instance that lost the lease, atomically', async () => {
    const leaseKey = `${w.cursorKey}:lease`;
    const store = new RedisCursorStore({ redis: w.redis, key: w.cursorKey, where: 'test' });
    const old = new LeaderLease({ redis: w.redis, key: leaseKey, ttlMs: 10_000, token: 'old' });
    expect(await old.acquireOrRenew()).toBe(true);
    await store.set({ id: 'event_2', createdAt: '2026-01-01T00:00:02Z' }, old.fence);

    // The old leader pauses; its lease is taken over and the new leader commits further.
    await w.redis.del(leaseKey);
    const current = new LeaderLease({ redis: w.redis, key: leaseKey, ttlMs: 10_000, token: 'new' });
    expect(await current.acquireOrRenew()).toBe(true);
    await store.set({ id: 'event_9', createdAt: '2026-01-01T00:00:09Z' }, current.fence);

    // The old leader wakes up and tries to commit what it was doing: refused, cursor untouched.
    await expect(store.set({ id: 'event_3', createdAt: '2026-01-01T00:00:03Z' }, old.fence)).rejects.toMatchObject({ code: 'WES_ERR_LEASE_LOST', retryable: false });
    expect((await store.get())?.id).toBe('event_9');
  });

  it('releases only its own lease', async () => {
    const key = `${w.cursorKey}:lease`;
    const a = new LeaderLease({ redis: w.redis, key, ttlMs: 10_000, token: 'a' });
    const b = new LeaderLease({ redis: w.redis, key, ttlMs: 10_000, token: 'b' });
    await a.acquireOrRenew();
    await b.release();
    expect(await a.holder()).toBe('a');
    await a.release();
    expect(await a.holder()).toBeNull();
  });
});
