import type { Logger } from 'pino';
import type { Cursor } from '../cursor/cursor-store.js';
import type { WesError } from '../errors.js';
import type { DrainObserver } from '../pipeline/drain-observer.js';
import { parseEventTime, type WorkOSEvent } from '../workos/event.js';
import type { Metrics } from './metrics.js';

export type DaemonRole = 'leader' | 'standby' | 'single';

/** The daemon's state as readiness reports it: each field is one reason it may not be ready. */
export interface StatusSnapshot {
  readonly role: DaemonRole;
  readonly lastLoopAt: number;
  readonly cursorCreatedAt: string | null;
  readonly cursorStale: boolean;
  readonly orderViolation: boolean;
  readonly haltedSinks: readonly string[];
  readonly lastDrain: { readonly at: number; readonly ok: boolean; readonly code?: string; readonly message?: string } | undefined;
}

/**
 * Listens to the pipeline (it is the DrainObserver), keeps metrics and the state readiness
 * reports, and logs the transitions a person must see once, not on every tick: a cursor turning
 * stale, a server ignoring the cursor, a sink halting.
 */
export class DaemonStatus implements DrainObserver {
  role: DaemonRole;
  lastLoopAt: number;
  private cursorCreatedAt: string | null = null;
  private stale = false;
  private violation = false;
  private readonly halted = new Set<string>();
  private lastDrain: StatusSnapshot['lastDrain'];
  /** Told of every committed page (the webhook cross-check forgets what arrived). */
  onCommitted: ((events: readonly WorkOSEvent[]) => void) | undefined;

  constructor(
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
    role: DaemonRole,
  ) {
    this.role = role;
    this.lastLoopAt = now();
    metrics.leader.set(role === 'standby' ? 0 : 1);
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
    return {
      role: this.role,
      lastLoopAt: this.lastLoopAt,
      cursorCreatedAt: this.cursorCreatedAt,
      cursorStale: this.stale,
      orderViolation: this.violation,
      haltedSinks: [...this.halted],
      lastDrain: this.lastDrain,
    };
  }

  drainFinished(err?: WesError | Error): void {
    this.beat();
    const code = err && 'code' in err ? String(err.code) : undefined;
    this.lastDrain = err ? { at: this.now(), ok: false, ...(code ? { code } : {}), message: err.message } : { at: this.now(), ok: true };
    if (err) this.metrics.drainFailures.inc({ code: code ?? 'unknown' });
  }

  private trackCursor(createdAt: string | null): void {
    this.cursorCreatedAt = createdAt;
    const time = createdAt ? parseEventTime(createdAt) : Number.NaN;
    const stale = !Number.isNaN(time) && this.now() - time > this.maxAgeMs;
    if (stale && !this.stale) {
      this.logger.error(
        { cursor_created_at: createdAt, max_age_days: this.maxAgeMs / 86_400_000 },
        'the cursor is older than cursor.maxAgeDays: WorkOS keeps events 30 days, so some may already be gone. Recover with "workos-events-sync run --from <ISO time>"',
      );
    }
    this.stale = stale;
    this.metrics.cursorStale.set(stale ? 1 : 0);
  }

  cursorRead(cursor: Cursor | null): void {
    this.beat();
    this.metrics.setCursorTime(cursor?.createdAt ?? null);
    this.trackCursor(cursor?.createdAt ?? null);
  }

  committed(events: readonly WorkOSEvent[], cursor: Cursor): void {
    this.beat();
    this.metrics.observeCommit(events, []);
    this.onCommitted?.(events);
    this.violation = false;
    this.trackCursor(cursor.createdAt);
  }

  sinkDelivered(sink: string, events: readonly WorkOSEvent[], seconds: number): void {
    const perType = new Map<string, number>();
    for (const e of events) perType.set(e.event, (perType.get(e.event) ?? 0) + 1);
    for (const [event_type, n] of perType) this.metrics.eventsDelivered.inc({ sink, event_type }, n);
    this.metrics.sinkWriteDuration.observe({ sink }, seconds);
  }

  sinkHalted(sink: string, halted: boolean): void {
    if (halted && !this.halted.has(sink)) this.logger.error({ sink }, 'sink halted: it keeps failing, the pipeline waits and the cursor stays until it accepts the page');
    if (!halted && this.halted.has(sink)) this.logger.info({ sink }, 'sink accepts pages again');
    if (halted) this.halted.add(sink);
    else this.halted.delete(sink);
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

  cursorRestored(by: 'drain' | 'standby'): void {
    this.metrics.cursorRestored.inc({ by });
  }

  orderViolation(): void {
    this.violation = true;
    this.metrics.orderViolations.inc();
  }
}
