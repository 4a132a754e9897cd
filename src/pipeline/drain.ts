import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { CursorMemory } from '../cursor/cursor-memory.js';
import { describeFilter, filterOf, sameFilter, type Cursor, type CursorStore, type Fence } from '../cursor/cursor-store.js';
import type { DeadLetterStore } from '../dead-letter/dead-letter-store.js';
import { isAborted, isLeaseLost, WesError } from '../errors.js';
import type { Sleep } from '../retry/sleep.js';
import { withRetry, type RetryOptions } from '../retry/with-retry.js';
import type { Sink } from '../sinks/sink.js';
import type { EventsClient, EventsQuery } from '../workos/events-client.js';
import { deliverToSinks, type SinkBinding } from './deliver.js';
import { noopObserver, type DrainObserver } from './drain-observer.js';
import { logPage } from './log-page.js';
import { checkOrder } from './order-guard.js';
import { pages } from './pager.js';
import { readCursor } from './read-cursor.js';
import { resolveStart } from './resolve-start.js';

export interface DrainDeps {
  readonly client: EventsClient;
  readonly cursorStore: CursorStore;
  readonly sinks: readonly SinkBinding[];
  readonly logger: Logger;
  readonly sleep: Sleep;
  readonly now: () => number;
  readonly random?: () => number;
  readonly observer?: DrainObserver;
  readonly deadLetters?: DeadLetterStore | undefined;
  /** The freshest cursor this process has seen: restored if the store comes back empty (a Redis restarted without persistence). */
  readonly memory?: CursorMemory;
  /** See ReadCursorOptions.peerWaitMs; 0 (default) without replicas. */
  readonly peerWaitMs?: number;
  /** Opens a sink that could not be opened at start (see DeliverOptions.ensureOpen). */
  readonly ensureOpen?: (sink: Sink) => Promise<void>;
  /** Throws once this instance may no longer write (its leader lease ran out by its own clock). */
  readonly beforeRequest?: () => void;
}

export type DrainSettings = Pick<Config, 'pageSize' | 'events' | 'organizationId' | 'startFrom' | 'retry'> & {
  /** Keep the position of a cursor made with another filter, and use the new filter from here. */
  readonly acceptFilterChange?: boolean;
};

export interface DrainResult {
  readonly pages: number;
  readonly events: number;
  readonly cursor: Cursor | null;
  /** True when shutdown (or losing the lease) ended the drain before it caught up. */
  readonly stopped: boolean;
}

function filterChanged(stored: Cursor, wanted: string): WesError {
  return new WesError(
    'WES_ERR_FILTER_CHANGED',
    `the cursor was made for ${describeFilter(stored.filter!)}, but the config now asks for ${wanted}: going on would silently miss the events the old filter left out. ` +
      'Start with --accept-filter-change to keep the position and use the new filter from here, or --reset-cursor to start over from "startFrom"',
  );
}

/**
 * One drain: read the cursor, then page through `/events` until caught up. Each page is checked
 * (order guard), handed to every sink, and only then committed, fenced by the leader lease when
 * there is one. Anything that fails leaves the cursor where the last delivered page put it.
 * Shutdown or a lost lease (`signal`) lets the page being written finish, and starts no new one.
 */
export async function drain(deps: DrainDeps, settings: DrainSettings, signal?: AbortSignal, fence?: Fence): Promise<DrainResult> {
  const { logger, cursorStore } = deps;
  const observer = deps.observer ?? noopObserver;
  const retry = (what: string, operation: string): RetryOptions => ({
    what,
    maxAttempts: settings.retry.maxAttempts,
    backoff: settings.retry,
    logger,
    sleep: deps.sleep,
    signal,
    onWait: ({ delayMs, rateLimited }) => observer.retried(operation, delayMs, rateLimited),
    ...(deps.random ? { random: deps.random } : {}),
  });
  const filter = filterOf(settings.events, settings.organizationId);

  // Before anything else: a leader resumed after a pause must not even fetch on the old lease.
  deps.beforeRequest?.();
  const memory = deps.memory ?? new CursorMemory();
  const stored = await readCursor({ store: cursorStore, memory, logger, observer, sleep: deps.sleep, signal, fence, retry, peerWaitMs: deps.peerWaitMs ?? 0 });
  observer.cursorRead(stored);
  let cursor = stored ?? resolveStart(settings.startFrom, deps.now());
  if (stored?.filter && !sameFilter(stored.filter, filter)) {
    if (!settings.acceptFilterChange) throw filterChanged(stored, describeFilter(filter));
    logger.warn({ from: describeFilter(stored.filter), to: describeFilter(filter) }, 'accepting a filter change: keeping the position, using the new filter from here');
  }
  if (cursor && (!stored || !stored.filter || !sameFilter(stored.filter, filter))) {
    // Pin the start point and the filter now: "now" re-evaluated after a restart would skip what happened between.
    const pinned: Cursor = { ...cursor, filter };
    await withRetry(() => cursorStore.set(pinned, fence), retry('write the start position', 'cursor_commit'));
    memory.remember(pinned);
    cursor = pinned;
    if (!stored) logger.info({ start_from: cursor.createdAt }, 'no cursor yet; starting from a point in time');
  }

  const fetchPage = (query: EventsQuery) =>
    withRetry(() => deps.client.fetchPage(query, signal), { ...retry('fetch a page of events', 'fetch'), fields: { after: query.after ?? null } });
  const base = { limit: settings.pageSize, events: settings.events, organizationId: settings.organizationId };
  const deliverOptions = {
    logger, retry: settings.retry, sleep: deps.sleep, signal, observer, deadLetters: deps.deadLetters, now: deps.now, ensureOpen: deps.ensureOpen, beforeRequest: deps.beforeRequest,
    ...(deps.random ? { random: deps.random } : {}),
  };

  let pageCount = 0;
  let eventCount = 0;
  const result = (stopped: boolean): DrainResult => ({ pages: pageCount, events: eventCount, cursor, stopped });
  try {
    for await (const page of pages(fetchPage, base, cursor)) {
      try {
        checkOrder(page.events, page.after);
      } catch (err) {
        observer.orderViolation();
        throw err;
      }
      const last = page.events.at(-1);
      if (!last) break;
      await deliverToSinks(deps.sinks, page, deliverOptions);
      const next: Cursor = { id: last.id, createdAt: last.created_at, filter };
      await withRetry(() => cursorStore.set(next, fence), retry('commit the cursor', 'cursor_commit'));
      memory.remember(next);
      cursor = next;
      pageCount++;
      eventCount += page.events.length;
      observer.committed(page.events, next);
      logPage(logger, page.events, deps.now());
      if (signal?.aborted) return result(true);
    }
  } catch (err) {
    if (isAborted(err, signal) && !isLeaseLost(err)) return result(true);
    throw err;
  }
  return result(false);
}
