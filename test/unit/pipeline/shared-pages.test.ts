import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Cursor } from '../../../src/cursor/cursor-store.js';
import { SharedPages } from '../../../src/pipeline/shared-pages.js';
import { Retrier } from '../../../src/retry/retrier.js';
import type { EventsClient, EventsQuery } from '../../../src/workos/events-client.js';
import type { EventsPage } from '../../../src/workos/parse-events-page.js';

const retrier = new Retrier({ retry: { maxAttempts: 1, minDelayMs: 1, maxDelayMs: 1 }, logger: pino({ level: 'silent' }), sleep: async () => undefined });

/** A stream of events 1..n, one second apart, served in pages; every request is recorded. */
function stream(n: number) {
  const events = Array.from({ length: n }, (_, i) => ({ id: `event_${String(i + 1).padStart(4, '0')}`, event: 'user.created', data: {}, created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i + 1)).toISOString() }));
  const requests: Array<string | undefined> = [];
  const client: EventsClient = {
    async fetchPage(query: EventsQuery): Promise<EventsPage> {
      requests.push(query.after);
      const from = query.after ? events.findIndex((e) => e.id === query.after) + 1 : 0;
      return { events: events.slice(from, from + query.limit), after: null } as unknown as EventsPage;
    },
  };
  const at = (i: number): Cursor => ({ id: events[i - 1]!.id, createdAt: events[i - 1]!.created_at });
  return { events, requests, client, at };
}

const query = (after?: string): EventsQuery => ({ limit: 10, events: [], ...(after ? { after } : {}) });

describe('the shared stream of pages', () => {
  it('makes one request for sinks asking for the same page at once', async () => {
    const s = stream(25);
    const pages = new SharedPages(s.client, retrier, () => [null, null]);
    const [a, b] = await Promise.all([pages.fetch(query()), pages.fetch(query())]);
    expect(a).toBe(b);
    expect(s.requests).toEqual([undefined]);
  });

  it('serves a short page again only within the same round: the next round may have newer events', async () => {
    const s = stream(5);
    const pages = new SharedPages(s.client, retrier, () => [null]);
    await pages.fetch(query());
    await pages.fetch(query());
    expect(s.requests).toHaveLength(1);
    pages.newRound();
    await pages.fetch(query());
    expect(s.requests).toHaveLength(2);
  });

  it('drops first the pages every sink has passed, and keeps those a sink behind still needs, so it re-reads only what did not fit', async () => {
    const s = stream(10 * 48);
    let positions: Array<Cursor | null> = [null, null];
    const pages = new SharedPages(s.client, retrier, () => positions);
    // The first sink reads 48 pages ahead while the second stays at page 5.
    for (let page = 0; page < 48; page++) {
      await pages.fetch(query(page === 0 ? undefined : s.at(page * 10).id!));
      positions = [s.at((page + 1) * 10), s.at(50)];
    }
    const before = s.requests.length;
    // The second sink reads on from page 5. Pages are dropped in a batch when the 41st is kept:
    // first pages 0..4, behind both sinks, then the 4 furthest ahead but the one just fetched
    // (36..39). Of the 43 pages it needs, it reads those 4 again, not all of them.
    for (let page = 5; page < 48; page++) {
      await pages.fetch(query(s.at(page * 10).id!));
      positions = [s.at(480), s.at((page + 1) * 10)];
    }
    expect(s.requests.length - before).toBe(4);
  });
});
