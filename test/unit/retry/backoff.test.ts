import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/retry/backoff.js';
import { parseRetryAfter } from '../../../src/retry/retry-after.js';

const policy = { minDelayMs: 500, maxDelayMs: 30_000 };

describe('backoffDelay', () => {
  it('doubles the ceiling each attempt and draws uniformly below it (full jitter)', () => {
    expect(backoffDelay(1, policy, () => 1)).toBe(500);
    expect(backoffDelay(2, policy, () => 1)).toBe(1000);
    expect(backoffDelay(4, policy, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  it('never exceeds the maximum delay', () => {
    expect(backoffDelay(40, policy, () => 1)).toBe(30_000);
  });
});

describe('parseRetryAfter', () => {
  const rp = { defaultMs: 5000, maxMs: 120_000 };
  const now = Date.parse('2026-11-27T00:00:00Z');

  it('reads delay-seconds, including fractions', () => {
    expect(parseRetryAfter('2', rp, now)).toBe(2000);
    expect(parseRetryAfter(' 1.5 ', rp, now)).toBe(1500);
  });

  it('reads an HTTP date relative to now, and a past date as no wait', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 00:00:30 GMT', rp, now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 23:00:00 GMT', rp, now)).toBe(0);
  });

  it('uses the default when the header is absent or unreadable', () => {
    expect(parseRetryAfter(null, rp, now)).toBe(5000);
    expect(parseRetryAfter('soon', rp, now)).toBe(5000);
  });

  it('caps a very long wait', () => {
    expect(parseRetryAfter('86400', rp, now)).toBe(120_000);
  });
});
