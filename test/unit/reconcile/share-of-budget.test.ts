import { describe, expect, it } from 'vitest';
import { shareOfBudget } from '../../../src/reconcile/share-of-budget.js';
import type { RateBudget } from '../../../src/workos/rate-budget.js';

describe('a share of the daemon\'s budget', () => {
  it('takes a token of the shared budget for every request, and no more requests a minute than its share', async () => {
    let clock = 0;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      clock += ms;
    };
    let taken = 0;
    const blocked: number[] = [];
    const shared: RateBudget = { take: async () => (taken++, 0), blockFor: async (ms) => void blocked.push(ms), close: async () => undefined };
    const share = shareOfBudget(shared, 60, { now: () => clock, sleep });
    for (let i = 0; i < 65; i++) await share.take();
    expect(taken).toBe(65);
    // 60 a minute with a burst of 5: 65 requests cannot all go out within the first minute.
    expect(clock).toBeGreaterThanOrEqual(59_000);
    await share.blockFor(3000);
    expect(blocked).toEqual([3000]);
    await share.close();
  });
});
