import { describe, expect, it } from 'vitest';
import { parseEventsPage } from '../../../src/workos/parse-events-page.js';

describe('parseEventsPage', () => {
  it('keeps events exactly as sent, unknown types and fields included', () => {
    const event = { object: 'event', id: 'event_1', event: 'widget.frobnicated', data: { id: 'w_1', extra: [1, 2] }, created_at: '2026-01-01T00:00:00.000Z', context: { x: 1 } };
    const page = parseEventsPage({ object: 'list', data: [event], list_metadata: { after: 'event_1' } });
    expect(page.events[0]).toBe(event);
    expect(page.listAfter).toBe('event_1');
  });

  it.each([
    [null, /no JSON body/],
    ['<html>', /expected a JSON object/],
    [{ data: 'x' }, /"data" is not an array/],
    [{ data: [{ event: 'a', data: {}, created_at: '2026-01-01T00:00:00Z' }] }, /data\[0\]\.id is missing/],
    [{ data: [{ id: 'e', data: {}, created_at: '2026-01-01T00:00:00Z' }] }, /no event type/],
    [{ data: [{ id: 'e', event: 'a', data: {}, created_at: 'yesterday' }] }, /unreadable created_at/],
    [{ data: [{ id: 'e', event: 'a', created_at: '2026-01-01T00:00:00Z' }] }, /no data object/],
  ])('refuses a malformed page (%j) as a retryable error', (body, message) => {
    try {
      parseEventsPage(body);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ code: 'WES_ERR_MALFORMED_PAGE', retryable: true });
      expect((err as Error).message).toMatch(message);
    }
  });
});
