import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { CursorMemory } from '../cursor/cursor-memory.js';
import { filterOf, type Cursor, type CursorStore, type Fence, type Positions } from '../cursor/cursor-store.js';
import { earliestPosition } from '../cursor/position-order.js';
import type { DeadLetterStore } from '../dead-letter/dead-letter-store.js';
import { isLeaseLost, isWesError } from '../errors.js';
import { backoffDelay } from '../retry/backoff.js';
import type { Retrier } from '../retry/retrier.js';
import type { Sleep } from '../retry/sleep.js';
import type { EventsClient } from '../workos/events-client.js';
import type { SinkBinding } from './deliver.js';
import { Lane, type LaneResult } from './lane.js';
import { LanePositions } from './lane-positions.js';
import { observeAll, type PipelineObserver } from './pipeline-observer.js';
import { readPositions } from './read-positions.js';
import { SharedPages } from './shared-pages.js';
import { StreamIndex } from './stream-index.js';

/** One sink to drive: its binding, and from its config entry where it starts and whom it follows. */
export interface LaneConfig {
  readonly binding: SinkBinding;
  readonly startFrom: Config['startFrom'];
  /** The name of the sink this one goes after, if any. */
  readonly after?: string | undefined;
}

export interface PipelineOptions {
  readonly settings: Pick<Config, 'pageSize' | 'events' | 'organizationId' | 'retry'>;
  readonly lanes: readonly LaneConfig[];
  readonly client: EventsClient;
  readonly store: CursorStore;
  readonly retrier: Retrier;
  readonly observers: readonly PipelineObserver[];
  readonly logger: Logger;
  readonly now: () => number;
  readonly sleep: Sleep;
  readonly random?: (() => number) | undefined;
  readonly deadLetters?: DeadLetterStore | undefined;
  readonly memory?: CursorMemory | undefined;
  /** Keep the position of a cursor made with another filter, and use the new filter from here. */
  readonly acceptFilterChange?: boolean | undefined;
  /** Throws once this instance may no longer write (its leader lease ran out by its own clock). */
  readonly beforeRequest?: (() => void) | undefined;
  /** See ReadPositionsOptions.peerWaitMs, for `trigger` (replicas of `run`); 0 (default) without replicas. A `drainOnce` never waits. */
  readonly peerWaitMs?: number | undefined;
}

export interface DrainResult {
  /** The most pages and events any one sink received. */
  readonly pages: number;
  readonly events: number;
  /** The slowest sink's position. */
  readonly cursor: Cursor | null;
  readonly stopped: boolean;
  readonly sinks: Readonly<Record<string, LaneResult>>;
}

export interface Pipeline {
  readonly lanes: readonly Lane[];
  /** Every sink drains now until caught up; rejects with the first failure once all have finished. */
  drainOnce(signal?: AbortSignal, fence?: Fence): Promise<DrainResult>;
  /**
   * A tick or a doorbell: starts each sink that is neither draining (it gets one more drain after
   * this one) nor waiting out the backoff of a failure. Returns at once.
   */
  trigger(signal?: AbortSignal, fence?: Fence): void;
  /** True while any sink drains. */
  readonly busy: boolean;
  /** Resolves once no sink drains. */
  settled(): Promise<void>;
}

interface LaneState {
  running?: Promise<void> | undefined;
  queued: boolean;
  failures: number;
  retryAt: number;
}

function aggregate(results: ReadonlyMap<string, LaneResult>): DrainResult {
  const all = [...results.values()];
  return {
    pages: Math.max(0, ...all.map((r) => r.pages)),
    events: Math.max(0, ...all.map((r) => r.events)),
    cursor: earliestPosition(all.map((r) => r.cursor)),
    stopped: all.some((r) => r.stopped),
    sinks: Object.fromEntries(results),
  };
}

/**
 * The kernel, made once from the config: one lane per sink, each with its own position, all
 * reading one shared stream of pages (one request per page for the sinks in step), one retrier,
 * one observer list. A sink that fails waits out a backoff of its own and catches up from its
 * position when it comes back, holding no other sink back.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const { logger, settings } = options;
  const memory = options.memory ?? new CursorMemory();
  const laneNames = options.lanes.map((l) => l.binding.sink.name);
  const board = new LanePositions(laneNames, memory);
  const index = new StreamIndex();
  const pagesSource = new SharedPages(options.client, options.retrier, () => laneNames.map((name) => board.positionOf(name)), index);
  const states = new Map<string, LaneState>();
  const dependents = new Map<string, Lane[]>();
  let last: { signal?: AbortSignal | undefined; fence?: Fence | undefined; peerWaitMs: number; once?: boolean } = { peerWaitMs: 0 };
  let round = 0;
  let positionsRound = -1;
  let positionsCommits = 0;
  let positionsRead: Promise<Positions> | undefined;

  // Between ticks, a sink with `after` stops once it has nothing more committed to follow: the
  // upstream's next commit starts it again. A `drainOnce` runs every sink to the end itself (a
  // dependent waits inside its drain), so a kick there would start a second drain beside it.
  const kickDependents: PipelineObserver = {
    committed: (sink) => {
      if (last.once) return;
      for (const dependent of dependents.get(sink) ?? []) start(dependent, last.signal, last.fence);
    },
  };
  // After any commit the one furthest ahead may have moved: every sink's count behind it changes.
  const trackBehind: PipelineObserver = {
    committed: () => {
      for (const [name, behind] of index.behind(new Map(laneNames.map((n) => [n, board.positionOf(n)])))) observer.sinkBehind(name, behind);
    },
  };
  const observer = observeAll([...options.observers, kickDependents, trackBehind]);

  const context = {
    pages: pagesSource,
    store: options.store,
    board,
    retrier: options.retrier,
    observer,
    logger,
    deadLetters: options.deadLetters,
    now: options.now,
    query: { limit: settings.pageSize, events: settings.events, organizationId: settings.organizationId },
    filter: filterOf(settings.events, settings.organizationId),
    acceptFilterChange: options.acceptFilterChange ?? false,
    beforeRequest: options.beforeRequest,
    // One read of the store for the sinks that start together: N sinks cost one round trip, not N,
    // and a cold start waits for its replicas once. A read older than a commit is stale: a sink
    // starting again after it would go back to where it stood then.
    positions: (signal: AbortSignal | undefined): Promise<Positions> => {
      if (positionsRound !== round || positionsCommits !== board.commits || !positionsRead) {
        positionsRound = round;
        positionsCommits = board.commits;
        positionsRead = readPositions({ store: options.store, memory, logger, observer, retrier: options.retrier, sleep: options.sleep, signal, fence: last.fence, peerWaitMs: last.peerWaitMs })
          .then((p) => {
            board.loaded(p);
            return p;
          });
        positionsRead.catch(() => (positionsRead = undefined));
      }
      return positionsRead;
    },
  };

  const lanes: Lane[] = [];
  for (const config of options.lanes) {
    const upstream = config.after ? lanes.find((l) => l.name === config.after) : undefined;
    const lane = new Lane({ binding: config.binding, startFrom: config.startFrom, upstream }, context);
    lanes.push(lane);
    states.set(lane.name, { queued: false, failures: 0, retryAt: 0 });
    if (upstream) dependents.set(upstream.name, [...(dependents.get(upstream.name) ?? []), lane]);
  }

  const finished = (lane: Lane, state: LaneState, outcome: LaneResult | Error) => {
    if (!(outcome instanceof Error)) {
      state.failures = 0;
      state.retryAt = 0;
      observer.laneFinished(lane.name);
      if (outcome.events > 0) logger.info({ sink: lane.name, pages: outcome.pages, events: outcome.events, cursor: outcome.cursor?.id ?? null }, 'caught up');
      return;
    }
    observer.laneFinished(lane.name, outcome);
    if (isLeaseLost(outcome)) {
      logger.warn({ sink: lane.name, code: 'WES_ERR_LEASE_LOST' }, outcome.message);
      return;
    }
    state.failures++;
    const delayMs = Math.max(settings.retry.minDelayMs, backoffDelay(state.failures, settings.retry, options.random));
    state.retryAt = options.now() + delayMs;
    const fields = isWesError(outcome) ? { code: outcome.code, err: outcome } : { err: outcome };
    logger.error({ sink: lane.name, ...fields, retry_in_ms: delayMs }, `drain failed for this sink; its cursor stays where it was and it tries again after a backoff, the other sinks go on: ${outcome.message}`);
  };

  function start(lane: Lane, signal?: AbortSignal, fence?: Fence): void {
    const state = states.get(lane.name)!;
    if (state.running) {
      state.queued = true;
      return;
    }
    if (options.now() < state.retryAt) {
      logger.debug({ sink: lane.name, retry_at: new Date(state.retryAt).toISOString() }, 'sink waits out its backoff');
      return;
    }
    state.running = lane.drain(signal, fence).then((r) => finished(lane, state, r), (err: unknown) => finished(lane, state, err as Error)).finally(() => {
      state.running = undefined;
      if (state.queued && !signal?.aborted) {
        state.queued = false;
        start(lane, last.signal, last.fence);
      }
    });
  }

  return {
    lanes,
    get busy() {
      return [...states.values()].some((s) => s.running);
    },
    trigger(signal, fence) {
      last = { signal, fence, peerWaitMs: options.peerWaitMs ?? 0 };
      round++;
      pagesSource.newRound();
      for (const lane of lanes) start(lane, signal, fence);
    },
    async drainOnce(signal, fence) {
      last = { signal, fence, peerWaitMs: 0, once: true };
      round++;
      pagesSource.newRound();
      const results = new Map<string, LaneResult>();
      const outcomes = await Promise.allSettled(lanes.map(async (lane) => {
        try {
          results.set(lane.name, await lane.drain(signal, fence));
          observer.laneFinished(lane.name);
        } catch (err) {
          observer.laneFinished(lane.name, err as Error);
          throw err;
        }
      }));
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
      return aggregate(results);
    },
    async settled() {
      while ([...states.values()].some((s) => s.running)) await Promise.all([...states.values()].map((s) => s.running));
    },
  };
}
