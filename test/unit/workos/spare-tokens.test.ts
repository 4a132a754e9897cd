import { describe, expect, it } from 'vitest';
import { SpareTokens } from '../../../src/workos/spare-tokens.js';

const policy = { max: 4, backToBackMs: 250, ttlMs: 1_000 };

/** Plays takes at the given times against a bucket that always has tokens; returns what each trip asked for. */
function trips(times: number[]): number[] {
  const spares = new SpareTokens(policy);
  const asked: number[] = [];
  for (const t of times) {
    if (spares.take(t)) continue;
    const want = spares.wanted(t);
    asked.push(want);
    spares.keep(want - 1, t);
  }
  return asked;
}

describe('spare tokens', () => {
  it('ask for one token per idle poll, however long the daemon runs', () => {
    expect(trips([0, 1_000, 2_000, 3_000, 10_000])).toEqual([1, 1, 1, 1, 1]);
  });

  it('ask for twice as many per trip while takes come back to back, up to the maximum', () => {
    // 20 requests 10 ms apart: 7 trips instead of 20; the last trip's 3 spares go unused (at most max - 1).
    const asked = trips(Array.from({ length: 20 }, (_, i) => i * 10));
    expect(asked).toEqual([1, 2, 4, 4, 4, 4, 4]);
    expect(asked.reduce((a, b) => a + b, 0) - 20).toBe(3);
  });

  it('drop a spare that was not used within its time to live, and after a 429', () => {
    const spares = new SpareTokens(policy);
    spares.wanted(0);
    spares.keep(3, 0);
    expect(spares.take(999)).toBe(true);
    expect(spares.take(1_000)).toBe(false);
    spares.keep(3, 2_000);
    spares.drop();
    expect(spares.take(2_001)).toBe(false);
  });
});
