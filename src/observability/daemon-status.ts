import type { Logger } from 'pino';
import type { Cursor } from '../cursor/cursor-store.js';
import { earliestPosition } from '../cursor/position-order.js';
import { isLeaseLost, type WesError } from '../errors.js';
import { parseEventTime, type WorkOSEvent } from '../workos/event.js';
import type { Metrics } from './metrics.js';

export type DaemonRole = 'leader' | 'standby' | 'single';

/** How a drain ended: when, and with which error if it failed. */
export type DrainOutcome = { readonly at: number; readonly ok: boolean; readonly code?: string; readonly message?: string };

/** One sink's state as readiness and `/readyz` report it. */
export interface SinkStatus {
  readonly cursorCreatedAt: string | null;
  /** Events behind the sink furthest ahead; undefined while not known. */
  readonly eventsBehind: number | undefined;
  readonly stale: boolean;
  readonly halted: boolean;
  readonly lastDrain: DrainOutcome | undefined;
}

/** The daemon's state as readiness reports it: each field is one reason it may not be ready. */
export interface StatusSnapshot {
  readonly role: DaemonRole;
  readonly lastLoopAt: number;
  /** The slowest sink's position. */
  readonly cursorCreatedAt: string | null;
  readonly cursorStale: boolean;
  readonly orderViolation: boolean;
  readonly haltedSinks: readonly string[];
  readonly lastDrain: DrainOutcome | undefined;
  readonly sinks: Readonly<Record<string, SinkStatus>>;
}

interface SinkState {
  cursor: Cursor | null;
  eventsBehind: number | undefined;
  stale: boolean;
  halted: boolean;
  lastDrain: DrainOutcome | undefined;
  failuresInARow: number;
}

/**
 * Listens to the pipeline (it is one of its observers, by shape: the kernel's type stays in the kernel), keeps metrics and the state readiness
 * reports, per sink, and logs the transitions a person must see once, not on every tick: a
 * sink's cursor turning stale, a server ignoring the cursor, a sink halting.
 */
export class DaemonStatus {
  role: DaemonRole;
  lastLoopAt: number;
  private violation = false;
  private readonly sinks = new Map<string, SinkState>();
  private lastDrain: DrainOutcome | undefined;

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
    role: DaemonRole,
    sinkNames: readonly string[] = [],
  ) {
    this.role = role;
    this.lastLoopAt = now();
    metrics.leader.set(role === 'standby' ? 0 : 1);
    // Every sink's series exist from the start: increase() cannot see a counter's first step from
    // nothing, so the first dead letter would go unnoticed, and a dashboard lists every sink.
    for (const sink of sinkNames) {
      metrics.deadLetters.inc({ sink }, 0);
      metrics.sinkHalted.set({ sink }, 0);
      metrics.sinkConsecutiveDrainFailures.set({ sink }, 0);
    }
  }

  setRole(role: DaemonRole): void {
    this.role = role;
    this.metrics.leader.set(role === 'standby' ? 0 : 1);
  }

  /** The loop is alive: a tick ran, a page moved, the elector went round. */
  beat(): void {
    this.lastLoopAt = this.now();
  }

  snapshot(): StatusSnapshot {
    const slowest = earliestPosition([...this.sinks.values()].map((s) => s.cursor));
    const sinks = Object.fromEntries([...this.sinks].map(([name, s]) => [name, { cursorCreatedAt: s.cursor?.createdAt ?? null, eventsBehind: s.eventsBehind, stale: s.stale, halted: s.halted, lastDrain: s.lastDrain }]));
    return {
      role: this.role,
      lastLoopAt: this.lastLoopAt,
      cursorCreatedAt: slowest?.createdAt ?? null,
      cursorStale: [...this.sinks.values()].some((s) => s.stale),
      orderViolation: this.violation,
      haltedSinks: [...this.sinks].filter(([, s]) => s.halted).map(([name]) => name),
      lastDrain: this.lastDrain,
      sinks,
    };
  }

  private sink(name: string): SinkState {
    let state = this.sinks.get(name);
    if (!state) this.sinks.set(name, (state = { cursor: null, eventsBehind: undefined, stale: false, halted: false, lastDrain: undefined, failuresInARow: 0 }));
    return state;
  }

  private track(name: string, cursor: Cursor | null): void {
    const state = this.sink(name);
    state.cursor = cursor;
    const createdAt = cursor?.createdAt ?? null;
    const time = createdAt ? parseEventTime(createdAt) : Number.NaN;
    const stale = !Number.isNaN(time) && this.now() - time > this.maxAgeMs;
    if (stale && !state.stale) {
      this.logger.error(
        { sink: name, cursor_created_at: createdAt, max_age_days: this.maxAgeMs / 86_400_000 },
        'the cursor of this sink is older than cursor.maxAgeDays: WorkOS keeps events 30 days, so some may already be gone. Recover with "workos-events-sync run --from <ISO time> --sink <name>"',
      );
    }
    state.stale = stale;
    this.metrics.cursorStale.set([...this.sinks.values()].some((s) => s.stale) ? 1 : 0);
    this.metrics.observeSinkPosition(name, createdAt);
    this.metrics.setCursorTime(earliestPosition([...this.sinks.values()].map((s) => s.cursor))?.createdAt ?? null);
  }

  cursorRead(sink: string, cursor: Cursor | null): void {
    this.beat();
    this.track(sink, cursor);
  }

  committed(sink: string, events: readonly WorkOSEvent[], cursor: Cursor): void {
    this.beat();
    this.metrics.observeCommit(events, []);
    this.violation = false;
    this.track(sink, cursor);
  }

  laneFinished(sink: string, err?: Error): void {
    this.beat();
    const code = err && 'code' in err ? String((err as WesError).code) : undefined;
    const outcome: DrainOutcome = err ? { at: this.now(), ok: false, ...(code ? { code } : {}), message: err.message } : { at: this.now(), ok: true };
    const state = this.sink(sink);
    state.lastDrain = outcome;
    this.lastDrain = outcome;
    if (err) this.metrics.drainFailures.inc({ code: code ?? 'unknown' });
    if (!err) {
      state.failuresInARow = 0;
      // A drain stopped by shutdown or a lost lease also ends here, not caught up: this instance then
      // drains no more, and the alerts read only the leader's values (docs/monitoring.md).
      this.metrics.sinkLastCaughtUpTimestampSeconds.set({ sink }, this.now() / 1000);
    } else if (!isLeaseLost(err)) {
      // The pipeline does not back off for a lost lease either: the sink did nothing wrong.
      state.failuresInARow++;
    }
    this.metrics.sinkConsecutiveDrainFailures.set({ sink }, state.failuresInARow);
  }

  sinkDelivered(sink: string, events: readonly WorkOSEvent[], seconds: number): void {
    const perType = new Map<string, number>();
    for (const e of events) perType.set(e.event, (perType.get(e.event) ?? 0) + 1);
    for (const [event_type, n] of perType) this.metrics.eventsDelivered.inc({ sink, event_type }, n);
    this.metrics.sinkWriteDuration.observe({ sink }, seconds);
  }

  sinkHalted(sink: string, halted: boolean): void {
    const state = this.sink(sink);
    if (halted && !state.halted) this.logger.error({ sink }, 'sink halted: it keeps failing; it waits and tries again with backoff, its cursor stays until it accepts the page, and the other sinks go on');
    if (!halted && state.halted) this.logger.info({ sink }, 'sink accepts pages again');
    state.halted = halted;
    this.metrics.sinkHalted.set({ sink }, halted ? 1 : 0);
  }

  deadLettered(sink: string, events: readonly WorkOSEvent[]): void {
    this.metrics.deadLetters.inc({ sink }, events.length);
  }

  retried(operation: string, delayMs: number, rateLimited: boolean): void {
    this.beat();
    this.metrics.retries.inc({ operation });
    if (rateLimited) this.metrics.observeWait(delayMs / 1000, 'retry_after');
  }

  orderViolation(): void {
    this.violation = true;
    this.metrics.orderViolations.inc();
  }

  sinkBehind(sink: string, events: number | undefined): void {
    this.sink(sink).eventsBehind = events;
    if (events === undefined) this.metrics.sinkEventsBehind.remove({ sink });
    else this.metrics.sinkEventsBehind.set({ sink }, events);
  }

  cursorRestored(by: 'drain' | 'standby'): void {
    this.metrics.cursorRestored.inc({ by });
  }
}
