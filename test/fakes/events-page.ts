import type { EventStore, StoredEvent } from './event-store.js';
import type { EventsQuery } from './events-query.js';

/** Ways a misbehaving server departs from the documented contract. */
export interface PageQuirks {
  /** Answer as if no `after` had been sent. */
  ignoreCursor: boolean;
  /** Answer oldest first whatever `order` says (reported of the live API, workos-node #1610). */
  ignoreOrder: boolean;
}

export interface EventsPage {
  data: StoredEvent[];
  /** Id of the last event of the page when more remain, else null (the emulator's behaviour). */
  after: string | null;
}

/**
 * Selects one page. `after` and `before` are positions in the whole log, not in the filtered
 * view, so a cursor pointing at an event the filters exclude still resumes at the right place.
 * An unknown `after` (never issued, or expired) restarts from the beginning of the requested
 * order, silently, as WorkOS's emulator does; an unknown `before` is ignored.
 */
export function selectEventsPage(store: EventStore, query: EventsQuery, quirks: PageQuirks): EventsPage {
  const ascending = quirks.ignoreOrder || query.order === 'asc';
  // Half-open window [low, high) of log positions still eligible.
  let low = 0;
  let high = store.size;

  const afterIndex = query.after !== undefined && !quirks.ignoreCursor ? store.indexOf(query.after) : -1;
  if (afterIndex >= 0) {
    if (ascending) low = afterIndex + 1;
    else high = afterIndex;
  }
  const beforeIndex = query.before !== undefined ? store.indexOf(query.before) : -1;
  if (beforeIndex >= 0) {
    if (ascending) high = Math.min(high, beforeIndex);
    else low = Math.max(low, beforeIndex + 1);
  }
  if (query.rangeStartMs !== undefined) low = Math.max(low, store.firstIndexAtOrAfter(query.rangeStartMs));
  if (query.rangeEndMs !== undefined) high = Math.min(high, store.firstIndexAtOrAfter(query.rangeEndMs));

  const matches: StoredEvent[] = [];
  for (let step = 0; step < high - low && matches.length <= query.limit; step++) {
    const index = ascending ? low + step : high - 1 - step;
    const event = store.eventAt(index);
    if (query.types && !query.types.has(event.event)) continue;
    if (query.organizationId !== undefined && store.organizationIdAt(index) !== query.organizationId) continue;
    matches.push(event);
  }

  const data = matches.slice(0, query.limit);
  const more = matches.length > query.limit;
  return { data, after: more ? (data.at(-1)?.id ?? null) : null };
}
