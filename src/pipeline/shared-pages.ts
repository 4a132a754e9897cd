import type { Retrier } from '../retry/retrier.js';
import type { EventsClient, EventsQuery } from '../workos/events-client.js';
import type { EventsPage } from '../workos/parse-events-page.js';

/** Full pages kept for sinks a little behind the fastest: beyond this many, a sink reads on its own. */
const RECENT_PAGES = 16;

interface Kept {
  readonly page: EventsPage;
  /** The round it was fetched in; a short page is only good for that round. */
  readonly round: number;
  readonly full: boolean;
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
  private readonly inFlight = new Map<string, Promise<EventsPage>>();
  private readonly recent = new Map<string, Kept>();
  private round = 0;

  constructor(private readonly client: EventsClient, private readonly retrier: Retrier) {}

  /** A tick or a doorbell: what the last round saw as the end of the stream may have grown. */
  newRound(): void {
    this.round++;
  }

  fetch(query: EventsQuery, signal?: AbortSignal): Promise<EventsPage> {
    const key = keyOf(query);
    const kept = this.recent.get(key);
    if (kept && (kept.full || kept.round === this.round)) return Promise.resolve(kept.page);
    const running = this.inFlight.get(key);
    if (running) return running;
    const round = this.round;
    const request = this.retrier
      .run(() => this.client.fetchPage(query, signal), { what: 'fetch a page of events', operation: 'fetch', signal, fields: { after: query.after ?? null } })
      .then((page) => {
        this.keep(key, { page, round, full: page.events.length >= query.limit });
        return page;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, request);
    return request;
  }

  private keep(key: string, kept: Kept): void {
    this.recent.delete(key);
    this.recent.set(key, kept);
    // A Map iterates in insertion order: the first key is the oldest.
    while (this.recent.size > RECENT_PAGES) this.recent.delete(this.recent.keys().next().value!);
  }
}
