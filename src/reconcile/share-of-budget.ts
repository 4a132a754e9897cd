import type { Sleep } from '../retry/sleep.js';
import { createLocalRateBudget, type RateBudget } from '../workos/rate-budget.js';

/**
 * A part of another budget: each take waits first for a token of this process's own bucket
 * (`requestsPerMinute`), then for one of `shared`, the budget the drains take from. So every
 * request still counts against the key's limit, and the drains always keep the rest of it:
 * a long reconciliation can slow the drains by its share at most, never stop them. A 429
 * blocks the shared budget, as the drains' do. `close` closes only the part.
 */
export function shareOfBudget(shared: RateBudget, requestsPerMinute: number, clock: { now: () => number; sleep: Sleep }): RateBudget {
  const own = createLocalRateBudget({ requestsPerMinute, now: clock.now, sleep: clock.sleep });
  return {
    async take(signal) {
      const waited = await own.take(signal);
      return waited + (await shared.take(signal));
    },
    blockFor: (ms) => shared.blockFor(ms),
    close: () => own.close(),
  };
}
