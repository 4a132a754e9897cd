import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { describeFilter, positionOfSink, sameFilter, type Cursor, type CursorFilter, type CursorStore, type Fence, type Positions } from '../cursor/cursor-store.js';
import type { DeadLetterStore } from '../dead-letter/dead-letter-store.js';
import { isAborted, isLeaseLost, WesError } from '../errors.js';
import type { Retrier } from '../retry/retrier.js';
import type { SinkCommit } from '../sinks/sink.js';
import { allowedAfter } from './allowed-after.js';
import { deliverToSink, type SinkBinding } from './deliver.js';
import type { LanePositions } from './lane-positions.js';
import { logPage } from './log-page.js';
import { checkOrder } from './order-guard.js';
import { pages, type PageQuery } from './pager.js';
import type { PipelineObserver } from './pipeline-observer.js';
import { resolveStart } from './resolve-start.js';
import type { SharedPages } from './shared-pages.js';

/** What every lane shares, built once by the pipeline. */
export interface LaneContext {
  readonly pages: SharedPages;
  readonly store: CursorStore;
  readonly board: LanePositions;
  readonly retrier: Retrier;
  readonly observer: Required<PipelineObserver>;
  readonly logger: Logger;
  readonly deadLetters?: DeadLetterStore | undefined;
  readonly now: () => number;
  readonly query: PageQuery;
  readonly filter: CursorFilter;
  readonly acceptFilterChange: boolean;
  /** The store's positions for this round, read once for every lane (see Pipeline). */
  readonly positions: (signal: AbortSignal | undefined) => Promise<Positions>;
  /** Throws once this instance may no longer write (its leader lease ran out by its own clock). */
  readonly beforeRequest?: (() => void) | undefined;
}

export interface LaneSettings {
  readonly binding: SinkBinding;
  readonly startFrom: Config['startFrom'];
  /** `after`: this sink never receives an event before that one has committed it. */
  readonly upstream?: Lane | undefined;
}

export interface LaneResult {
  readonly pages: number;
  readonly events: number;
  readonly cursor: Cursor | null;
  /** True when shutdown (or losing the lease) ended the drain before it caught up. */
  readonly stopped: boolean;
}

function filterChanged(stored: Cursor, wanted: CursorFilter, sink: string): WesError {
  return new WesError(
    'WES_ERR_FILTER_CHANGED',
    `the cursor of sink "${sink}" was made for ${describeFilter(stored.filter!)}, but the config now asks for ${describeFilter(wanted)}: going on would silently miss the events the old filter left out. ` +
      'Start with --accept-filter-change to keep the position and use the new filter from here, or --reset-cursor to start over from "startFrom"',
  );
}

/**
 * One sink and its own position in the stream. A drain reads from that position until caught up:
 * each page is checked (order guard), held back to what the upstream sink has committed (`after`),
 * written to the sink, and only then its position committed, fenced by the lease. A failure of
 * this sink leaves the others alone; its position stays where its last page put it.
 */
export class Lane {
  readonly name: string;
  private readonly waiting: Array<(progressed: boolean) => void> = [];
  private running = false;
  /** The page lines carry the sink's name; one child logger for the lane, not one per page. */
  private readonly logger: Logger;

  constructor(private readonly settings: LaneSettings, private readonly context: LaneContext) {
    this.name = settings.binding.sink.name;
    this.logger = context.logger.child({ sink: this.name });
  }

  get sink() {
    return this.settings.binding.sink;
  }

  get upstream(): Lane | undefined {
    return this.settings.upstream;
  }

  /** Drains until caught up (or, with an upstream, until it has nothing more committed to give). */
  async drain(signal?: AbortSignal, fence?: Fence): Promise<LaneResult> {
    const { context } = this;
    this.running = true;
    let pageCount = 0;
    let eventCount = 0;
    let cursor: Cursor | null = null;
    const result = (stopped: boolean): LaneResult => ({ pages: pageCount, events: eventCount, cursor, stopped });
    try {
      // Before anything else: a leader resumed after a pause must not even fetch on the old lease.
      context.beforeRequest?.();
      cursor = await this.startPosition(signal, fence);
      const fetch = (query: Parameters<SharedPages['fetch']>[0]) => context.pages.fetch(query, signal);
      for (;;) {
        let heldBack = false;
        let upstreamAt: Cursor | null = null;
        for await (const page of pages(fetch, context.query, cursor, (query) => context.pages.sent(query))) {
          try {
            checkOrder(page.events, page.after);
          } catch (err) {
            context.observer.orderViolation();
            throw err;
          }
          upstreamAt = this.upstream?.position ?? null;
          const allowed = this.upstream ? allowedAfter(page.events, upstreamAt) : page.events.length;
          const events = page.events.slice(0, allowed);
          heldBack = allowed < page.events.length;
          const last = events.at(-1);
          if (last) {
            cursor = await this.deliver(events, cursor, { id: last.id, createdAt: last.created_at, filter: context.filter }, signal, fence);
            pageCount++;
            eventCount += events.length;
          }
          if (signal?.aborted) return result(true);
          if (heldBack) break;
        }
        // Held back by the upstream sink: go on once it commits more, stop if it stopped.
        if (!heldBack || !(await this.upstream!.progressedSince(upstreamAt, signal))) return result(false);
      }
    } catch (err) {
      if (isAborted(err, signal) && !isLeaseLost(err)) return result(true);
      throw err;
    } finally {
      this.running = false;
      for (const wake of this.waiting.splice(0)) wake(false);
    }
  }

  /** The position this lane last read or committed in this process (undefined: not read yet). */
  get position(): Cursor | null | undefined {
    return this.context.board.positionOf(this.name);
  }

  /**
   * Resolves true as soon as this lane's position is past `seen` (it committed), false once it
   * is not draining (idle, failed) and has not moved: a dependent sink then stops for now and is
   * started again by this lane's next commit.
   */
  progressedSince(seen: Cursor | null, signal?: AbortSignal): Promise<boolean> {
    // A position not read yet (undefined) is no progress: the upstream has not even started.
    if ((this.position ?? null) !== seen) return Promise.resolve(true);
    if (!this.running) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      signal?.addEventListener('abort', () => resolve(false), { once: true });
    });
  }

  private async startPosition(signal: AbortSignal | undefined, fence: Fence | undefined): Promise<Cursor | null> {
    const { context, sink } = this;
    const positions = await context.positions(signal);
    const inherited = positionOfSink(positions, this.name);
    // A sink keeping its own position is its own authority; before it stored one (an upgrade), it
    // takes what the store says, like any other.
    const own = sink.positions ? await context.retrier.run(() => sink.positions!.read(), { what: `read the position of sink "${this.name}"`, operation: 'cursor_read', signal }) : null;
    const stored: Cursor | null = own ?? inherited;
    context.observer.cursorRead(this.name, stored);
    if (stored?.filter && !sameFilter(stored.filter, context.filter)) {
      if (!context.acceptFilterChange) throw filterChanged(stored, context.filter, this.name);
      context.logger.warn({ sink: this.name, from: describeFilter(stored.filter), to: describeFilter(context.filter) }, 'accepting a filter change: keeping the position, using the new filter from here');
    }
    const start = stored ?? resolveStart(this.settings.startFrom, context.now());
    context.board.record(this.name, stored);
    if (start && (!stored || !stored.filter || !sameFilter(stored.filter, context.filter) || (sink.positions && !own))) {
      // Pin the start point and the filter now: "now" re-evaluated after a restart would skip what happened between.
      const pinned: Cursor = { ...start, filter: context.filter };
      if (sink.positions) await context.retrier.run(() => sink.positions!.set(pinned), { what: `write the start position of sink "${this.name}"`, operation: 'cursor_commit', signal });
      await this.commitToStore(pinned, signal, fence);
      if (!stored) context.logger.info({ sink: this.name, start_from: pinned.createdAt }, 'no cursor yet for this sink; starting from a point in time');
      return pinned;
    }
    return start;
  }

  private async deliver(events: Parameters<typeof logPage>[1], from: Cursor | null, next: Cursor, signal: AbortSignal | undefined, fence: Fence | undefined): Promise<Cursor> {
    const { context } = this;
    const commit: SinkCommit | undefined = this.sink.positions ? { position: next, expected: from, token: fence?.token } : undefined;
    await deliverToSink(this.settings.binding, { events, commit }, {
      logger: context.logger,
      retrier: context.retrier,
      observer: context.observer,
      deadLetters: context.deadLetters,
      signal,
      now: context.now,
      beforeRequest: context.beforeRequest,
    });
    await this.commitToStore(next, signal, fence);
    context.observer.committed(this.name, events, next);
    logPage(this.logger, events, context.now());
    for (const wake of this.waiting.splice(0)) wake(true);
    return next;
  }

  /** For a sink keeping its own position this is the copy `cursor show`, readiness and older versions read. */
  private commitToStore(cursor: Cursor, signal: AbortSignal | undefined, fence: Fence | undefined): Promise<void> {
    const { context } = this;
    return context.board.commit(this.name, cursor, (deployment) =>
      context.retrier.run(() => context.store.commit(this.name, cursor, fence, deployment), { what: 'commit the cursor', operation: 'cursor_commit', signal, fields: { sink: this.name } }));
  }

}
