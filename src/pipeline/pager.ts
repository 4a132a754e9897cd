import type { Cursor } from '../cursor/cursor-store.js';
import type { EventsPage } from '../workos/parse-events-page.js';
import type { EventsQuery } from '../workos/events-client.js';

export type PageQuery = Omit<EventsQuery, 'after' | 'rangeStart'>;

/** A page together with where it was read from, so the guard can check it against that point. */
export interface FetchedPage extends EventsPage {
  /** The position the page was requested after: the previous page's last event, or the cursor. */
  readonly after: Cursor | null;
}

function queryAfter(base: PageQuery, position: Cursor | null): EventsQuery {
  if (position?.id) return { ...base, after: position.id };
  if (position?.createdAt) return { ...base, rangeStart: position.createdAt };
  return base;
}

/**
 * How long page N waits for page N+1's request to go out. The request goes out within one turn of
 * the event loop when a token is free; when the budget makes it wait, the sinks must not wait too.
 */
const SENT_WAIT_MS = 2;

/** Resolves when `sent` does or `ms` have passed, whichever comes first. */
async function atMost(sent: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([sent, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/**
 * Pages of `/events` from `start` until a page comes back short ("caught up for now").
 * While the consumer works on page N, page N+1 is already being fetched (never more than one
 * ahead), so a slow sink and a slow API overlap instead of adding up. If the consumer stops early
 * the prefetched page is simply dropped; the cursor never saw it.
 *
 * `sent` says when a request is on the wire: page N is handed over only once page N+1's request
 * has gone out (or SENT_WAIT_MS passed). Otherwise the consumer's work on page N (serializing,
 * writing, committing: all on this one thread) would run first and delay the request by as much,
 * on the path of every page.
 */
export async function* pages(
  fetchPage: (query: EventsQuery) => Promise<EventsPage>,
  base: PageQuery,
  start: Cursor | null,
  sent?: (query: EventsQuery) => Promise<void>,
): AsyncGenerator<FetchedPage> {
  let position = start;
  let next = fetchPage(queryAfter(base, position));
  for (;;) {
    const page = await next;
    const last = page.events.at(-1);
    const full = page.events.length >= base.limit && last !== undefined;
    const fetched: FetchedPage = { ...page, after: position };
    if (full) {
      position = { id: last.id, createdAt: last.created_at };
      const query = queryAfter(base, position);
      next = fetchPage(query);
      // Observed when awaited; until then a failure of the prefetch must not count as unhandled.
      next.catch(() => undefined);
      if (sent) await atMost(sent(query), SENT_WAIT_MS);
    }
    yield fetched;
    if (!full) return;
  }
}
