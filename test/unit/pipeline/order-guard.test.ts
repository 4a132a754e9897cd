import { describe, expect, it } from 'vitest';
import { checkOrder } from '../../../src/pipeline/order-guard.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';

const ev = (id: string, created_at: string): WorkOSEvent => ({ object: 'event', id, event: 'user.created', data: {}, created_at });

describe('checkOrder', () => {
  it('accepts a page whose times never go backwards and start at or after the cursor', () => {
    expect(() => checkOrder([ev('e2', '2026-01-01T00:00:01Z'), ev('e3', '2026-01-01T00:00:01Z'), ev('e4', '2026-01-01T00:00:02Z')], { id: 'e1', createdAt: '2026-01-01T00:00:01Z' })).not.toThrow();
  });

  it('refuses a page whose times go backwards', () => {
    expect(() => checkOrder([ev('e2', '2026-01-01T00:00:02Z'), ev('e3', '2026-01-01T00:00:01Z')], null)).toThrow(/e3 at 2026-01-01T00:00:01Z is older than e2/);
  });

  it('refuses a page that starts before the cursor event (a server ignoring the cursor)', () => {
    try {
      checkOrder([ev('e0', '2025-12-31T00:00:00Z')], { id: 'e9', createdAt: '2026-01-01T00:00:00Z' });
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'WES_ERR_ORDER_VIOLATION', retryable: false });
    }
  });

  it('refuses a page that repeats the cursor event', () => {
    expect(() => checkOrder([ev('e9', '2026-01-01T00:00:00Z')], { id: 'e9', createdAt: '2026-01-01T00:00:00Z' })).toThrow(/repeats the cursor/);
  });

  it('compares the old "YYYY-MM-DD HH:MM:SS.mmm" form as UTC', () => {
    expect(() => checkOrder([ev('e2', '2023-04-28 20:05:31.093')], { id: 'e1', createdAt: '2023-04-28T20:05:31.000Z' })).not.toThrow();
    expect(() => checkOrder([ev('e2', '2023-04-28 20:05:30.000')], { id: 'e1', createdAt: '2023-04-28T20:05:31.000Z' })).toThrow();
  });

  it('accepts anything after a hand-set cursor without a time', () => {
    expect(() => checkOrder([ev('e2', '2020-01-01T00:00:00Z')], { id: 'e1', createdAt: null })).not.toThrow();
  });
});
