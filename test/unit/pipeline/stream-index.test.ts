import { describe, expect, it } from 'vitest';
import type { Cursor } from '../../../src/cursor/cursor-store.js';
import { StreamIndex } from '../../../src/pipeline/stream-index.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';

const event = (i: number): WorkOSEvent => ({ id: `event_${i}`, event: 'user.created', data: {}, created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });
const page = (from: number, n: number) => Array.from({ length: n }, (_, k) => event(from + k + 1));
const at = (i: number): Cursor => ({ id: `event_${i}`, createdAt: event(i).created_at });

describe('the stream index', () => {
  it('counts how many events each sink is behind the one furthest ahead', () => {
    const index = new StreamIndex();
    index.record(null, page(0, 10));
    index.record(at(10), page(10, 10));
    index.record(at(20), page(20, 5));
    expect(index.behind(new Map([['fast', at(25)], ['slow', at(10)]]))).toEqual(new Map([['fast', 0], ['slow', 15]]));
  });

  it('has no count for a sink further back than anything read, until it reaches a numbered position', () => {
    const index = new StreamIndex();
    index.record(at(100), page(100, 10));
    // A sink added later starts far behind, reading pages no one numbered.
    index.record(at(0), page(0, 10));
    expect(index.behind(new Map([['head', at(110)], ['added', at(10)]]))).toEqual(new Map([['head', 0], ['added', undefined]]));
    expect(index.behind(new Map([['head', at(110)], ['added', at(100)]]))).toEqual(new Map([['head', 0], ['added', 10]]));
  });

  it('counts a start time like the position it is', () => {
    const index = new StreamIndex();
    const start: Cursor = { id: null, createdAt: '2026-01-01T00:00:00.000Z' };
    index.record(start, page(0, 10));
    expect(index.behind(new Map([['a', at(10)], ['b', start]]))).toEqual(new Map([['a', 0], ['b', 10]]));
  });
});
