import type { Cursor } from '../cursor/cursor-store.js';
import type { WorkOSEvent } from '../workos/event.js';

/**
 * What the pipeline tells the outside world (metrics, readiness) as it works. The pipeline calls
 * these and never looks at the answers: observing must not change what is delivered.
 */
export interface DrainObserver {
  /** The cursor the drain starts from (for cursor age and staleness). */
  cursorRead(cursor: Cursor | null): void;
  /** A page was accepted by every sink and its cursor committed. */
  committed(events: readonly WorkOSEvent[], cursor: Cursor): void;
  /** One sink accepted these events of a page (after its own `events` filter). */
  sinkDelivered(sink: string, events: readonly WorkOSEvent[], seconds: number): void;
  /** A sink gave up on a page (`halted`), or accepted one again. */
  sinkHalted(sink: string, halted: boolean): void;
  deadLettered(sink: string, events: readonly WorkOSEvent[]): void;
  /** A wait before another attempt of `operation`. */
  retried(operation: string, delayMs: number, rateLimited: boolean): void;
  orderViolation(): void;
  /**
   * The store was found empty and the remembered cursor written back: by the instance about to
   * drain (`drain`), or by a standby in its lease round (`standby`).
   */
  cursorRestored(by: 'drain' | 'standby'): void;
}

export const noopObserver: DrainObserver = {
  cursorRead: () => undefined,
  committed: () => undefined,
  sinkDelivered: () => undefined,
  sinkHalted: () => undefined,
  deadLettered: () => undefined,
  retried: () => undefined,
  orderViolation: () => undefined,
  cursorRestored: () => undefined,
};
