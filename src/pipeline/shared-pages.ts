import type { Cursor } from '../cursor/cursor-store.js';
import { comparePositions } from '../cursor/position-order.js';
import type { Retrier } from '../retry/retrier.js';
import type { StreamIndex } from './stream-index.js';
import type { EventsClient, EventsQuery } from '../workos/events-client.js';
import type { EventsPage } from '../workos/parse-events-page.js';

/**
 * Full pages kept for sinks behind the fastest (about 2 MB of events): a sink further behind than
 * this reads on its own.
 */
const RECENT_PAGES = 32;
/**
 * Pages are dropped in batches, once this many more are kept: ranking the kept pages runs once per
 * batch instead of on the path of every fetched page. (Keeping pages until then costs nothing: a
 * page kept a while is promoted once by the garbage collector, which is cheaper than copying pages
 * that die just after a young-generation collection; bench/README.md, figure 3.)
 */
const DROP_BATCH = 8;

interface Kept {
  readonly page: EventsPage;
  /** The round it was fetched in; a short page is only good for that round. */
  readonly round: number;
  readonly full: boolean;
  /** The page's last event: once every sink is at or past it, no sink will ask for the page again. */
  readonly last: Cursor | null;
}

function keyOf(query: EventsQuery): string {
  return `${query.after ?? ''}|${query.rangeStart ?? ''}`;
}

/**
 * The one stream of `/events` pages the sinks read. Sinks at the same position ask for the same
 * page and get one request between them: a request in flight is shared, and the last few full
 * pages are kept for sinks a little behind. A sink further behind misses here and reads on its
 * own, through the same client and so the same rate budget; it rejoins the shared stream by
 * itself once it asks for pages the others asked for. A short page ("caught up for now") is kept
 * only until the next round (a tick or a doorbell), which may have newer events to show.
 */
export class SharedPages {
  private readonly inFlight = new Map<string, { readonly page: Promise<EventsPage>; readonly sent: Promise<void> }>();
  private readonly recent = new Map<string, Kept>();
  private round = 0;

  /** `positions`: where each sink stands now, to tell pages someone still needs from pages all have passed. */
  constructor(
    private readonly client: EventsClient,
    private readonly retrier: Retrier,
    private readonly positions: () => ReadonlyArray<Cursor | null | undefined>,
    private readonly index?: StreamIndex,
  ) {}

  /** A tick or a doorbell: what the last round saw as the end of the stream may have grown. */
  newRound(): void {
    this.round++;
  }

  fetch(query: EventsQuery, signal?: AbortSignal): Promise<EventsPage> {
    const key = keyOf(query);
    const kept = this.recent.get(key);
    if (kept && (kept.full || kept.round === this.round)) return Promise.resolve(kept.page);
    const running = this.inFlight.get(key);
    if (running) return running.page;
    const round = this.round;
    let markSent!: () => void;
    const sent = new Promise<void>((resolve) => (markSent = resolve));
    const request = this.retrier
      .run(() => this.client.fetchPage(query, signal, markSent), { what: 'fetch a page of events', operation: 'fetch', signal, fields: { after: query.after ?? null } })
      .then((page) => {
        const last = page.events.at(-1);
        this.index?.record(query.after ? { id: query.after, createdAt: null } : query.rangeStart ? { id: null, createdAt: query.rangeStart } : null, page.events);
        this.keep(key, { page, round, full: page.events.length >= query.limit, last: last ? { id: last.id, createdAt: last.created_at } : null });
        return page;
      })
      .finally(() => {
        markSent();
        this.inFlight.delete(key);
      });
    this.inFlight.set(key, { page: request, sent });
    return request;
  }

  /** Resolves once the request for `query` is on the wire, or has settled, or is not in flight. */
  sent(query: EventsQuery): Promise<void> {
    return this.inFlight.get(keyOf(query))?.sent ?? Promise.resolve();
  }

  private keep(key: string, kept: Kept): void {
    this.recent.delete(key);
    this.recent.set(key, kept);
    if (this.recent.size <= RECENT_PAGES + DROP_BATCH) return;
    // Each page dropped costs one request for each sink that has yet to read it: drop those the
    // fewest sinks still need, first those every sink has passed; among equals the one furthest
    // ahead, which the sink behind reaches last (dropping the one it reads next would make each of
    // its re-reads push out the page after). The page just fetched stays: a sink is about to read it.
    const positions = this.positions();
    const needing = (entry: Kept) => positions.filter((p) => p === undefined || p === null || entry.last === null || comparePositions(entry.last, p) > 0).length;
    const ranked = [...this.recent].filter(([k]) => k !== key).map(([k, entry]) => ({ k, entry, need: needing(entry) }))
      .sort((a, b) => a.need - b.need || comparePositions(b.entry.last, a.entry.last));
    for (const { k } of ranked) {
      if (this.recent.size <= RECENT_PAGES) return;
      this.recent.delete(k);
    }
  }
}
