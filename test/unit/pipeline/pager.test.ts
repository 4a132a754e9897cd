import { describe, expect, it } from 'vitest';
import { pages } from '../../../src/pipeline/pager.js';
import type { EventsQuery } from '../../../src/workos/events-client.js';
import type { EventsPage } from '../../../src/workos/parse-events-page.js';

/** 25 events served 10 to a page; a request counts as sent one turn of the event loop after it is made, as with fetch. */
function source() {
  const events = Array.from({ length: 25 }, (_, i) => ({ id: `event_${i + 10}`, event: 'user.created', data: {}, created_at: '2026-01-01T00:00:00.000Z' }));
  const sent = new Map<string, Promise<void>>();
  const log: string[] = [];
  const fetchPage = (query: EventsQuery): Promise<EventsPage> => {
    const key = query.after ?? 'start';
    sent.set(key, new Promise<void>((resolve) => setImmediate(() => {
      log.push(`sent ${key}`);
      resolve();
    })));
    const from = query.after ? events.findIndex((e) => e.id === query.after) + 1 : 0;
    return new Promise((resolve) => setTimeout(() => resolve({ events: events.slice(from, from + 10), listAfter: null } as unknown as EventsPage), 5));
  };
  return { fetchPage, log, whenSent: (query: EventsQuery) => sent.get(query.after ?? 'start') ?? Promise.resolve() };
}

const base = { limit: 10, events: [] };

describe('the pager', () => {
  it('hands a page over only once the next page\'s request has gone out', async () => {
    const s = source();
    for await (const page of pages(s.fetchPage, base, null, s.whenSent)) {
      s.log.push(`page after ${page.after?.id ?? 'start'}`);
      // Work that keeps the thread busy, as a sink serializing a page does.
      const until = performance.now() + 3;
      while (performance.now() < until);
    }
    expect(s.log).toEqual(['sent start', 'sent event_19', 'page after start', 'sent event_29', 'page after event_19', 'page after event_29']);
  });

  it('hands a page over anyway when the next request does not go out at once (the rate budget holds it)', async () => {
    const s = source();
    const got: number[] = [];
    const never = () => new Promise<void>(() => undefined);
    for await (const page of pages(s.fetchPage, base, null, never)) got.push(page.events.length);
    expect(got).toEqual([10, 10, 5]);
  });
});
