import { parseEventsPage, type EventsPage } from './parse-events-page.js';
import { createWorkOSApi, type WorkOSApiOptions } from './workos-api.js';

/** What one `GET /events` asks for. `after` and `rangeStart` are mutually exclusive (WorkOS's rule). */
export interface EventsQuery {
  readonly limit: number;
  readonly after?: string | undefined;
  readonly rangeStart?: string | undefined;
  readonly events: readonly string[];
  readonly organizationId?: string | undefined;
}

export interface EventsClient {
  /** One request, no retries (the caller owns backoff); throws a classified WesError. `onSent`: see WorkOSApi.get. */
  fetchPage(query: EventsQuery, signal?: AbortSignal, onSent?: () => void): Promise<EventsPage>;
}

export type EventsClientOptions = WorkOSApiOptions;

/** `GET /events`, always oldest first, with the page's shape checked before anything is delivered. */
export function createEventsClient(options: EventsClientOptions): EventsClient {
  const api = createWorkOSApi(options);
  return {
    async fetchPage(query, signal, onSent) {
      const body = await api.get('/events', {
        // Always explicit: the documented default is `desc`, which would walk the stream backwards.
        order: 'asc',
        limit: query.limit,
        after: query.after,
        range_start: query.after ? undefined : query.rangeStart,
        events: query.events.length > 0 ? query.events.join(',') : undefined,
        organization_id: query.organizationId,
      }, signal, onSent);
      return parseEventsPage(body);
    },
  };
}
