import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Cursor, CursorStore } from '../cursor/cursor-store.js';
import { isAborted } from '../errors.js';
import type { Sleep } from '../retry/sleep.js';
import { withRetry } from '../retry/with-retry.js';
import type { Sink } from '../sinks/sink.js';
import { countByType, parseEventTime } from '../workos/event.js';
import type { EventsClient } from '../workos/events-client.js';
import { deliverToSinks } from './deliver.js';
import { checkOrder } from './order-guard.js';
import { pages } from './pager.js';
import { resolveStart } from './resolve-start.js';

export interface DrainDeps {
  readonly client: EventsClient;
  readonly cursorStore: CursorStore;
  readonly sinks: readonly Sink[];
  readonly logger: Logger;
  readonly sleep: Sleep;
  readonly now: () => number;
  readonly random?: () => number;
}

export type DrainSettings = Pick<Config, 'pageSize' | 'events' | 'organizationId' | 'startFrom' | 'retry'>;

export interface DrainResult {
  readonly pages: number;
  readonly events: number;
  readonly cursor: Cursor | null;
  /** True when shutdown ended the drain before it caught up. */
  readonly stopped: boolean;
}

/**
 * One drain: read the cursor, then page through `/events` until caught up. Each page is checked
 * (order guard), handed to every sink, and only then committed. Anything that fails leaves the
 * cursor where the last delivered page put it; the caller decides whether to try again later.
 * Shutdown (`signal`) lets the page being written finish and commit, and starts no new one.
 */
export async function drain(deps: DrainDeps, settings: DrainSettings, signal?: AbortSignal): Promise<DrainResult> {
  const { logger, cursorStore } = deps;
  const retry = (what: string) => ({
    what,
    maxAttempts: settings.retry.maxAttempts,
    backoff: settings.retry,
    logger,
    sleep: deps.sleep,
    signal,
    ...(deps.random ? { random: deps.random } : {}),
  });

  const stored = await withRetry(() => cursorStore.get(), retry('read the cursor'));
  let cursor = stored ?? resolveStart(settings.startFrom, deps.now());
  if (!stored && cursor) {
    // Pin the start time now: "now" re-evaluated after a restart would skip what happened between.
    await withRetry(() => cursorStore.set(cursor!), retry('write the start position'));
    logger.info({ start_from: cursor.createdAt }, 'no cursor yet; starting from a point in time');
  }

  const fetchPage = (query: Parameters<EventsClient['fetchPage']>[0]) =>
    withRetry(() => deps.client.fetchPage(query, signal), { ...retry('fetch a page of events'), fields: { after: query.after ?? null } });
  const base = { limit: settings.pageSize, events: settings.events, organizationId: settings.organizationId };

  let pageCount = 0;
  let eventCount = 0;
  try {
    for await (const page of pages(fetchPage, base, cursor)) {
      checkOrder(page.events, page.after);
      const last = page.events.at(-1);
      if (!last) break;
      await deliverToSinks(deps.sinks, page, { logger, retry: settings.retry, sleep: deps.sleep, signal, ...(deps.random ? { random: deps.random } : {}) });
      const next: Cursor = { id: last.id, createdAt: last.created_at };
      await withRetry(() => cursorStore.set(next), retry('commit the cursor'));
      cursor = next;
      pageCount++;
      eventCount += page.events.length;
      logger.info(
        {
          count: page.events.length,
          first_event_id: page.events[0]!.id,
          last_event_id: last.id,
          lag_seconds: Math.max(0, (deps.now() - parseEventTime(last.created_at)) / 1000),
          event_types: countByType(page.events),
        },
        'delivered a page',
      );
      if (signal?.aborted) return { pages: pageCount, events: eventCount, cursor, stopped: true };
    }
  } catch (err) {
    if (isAborted(err, signal)) return { pages: pageCount, events: eventCount, cursor, stopped: true };
    throw err;
  }
  return { pages: pageCount, events: eventCount, cursor, stopped: false };
}
