import type { Cursor } from '../cursor/cursor-store.js';
import type { WorkOSEvent } from '../workos/event.js';

/**
 * What the pipeline tells the outside world (status, metrics, readiness, the webhook cross-check)
 * as it works. The pipeline calls these and never looks at the answers: observing must not change
 * what is delivered. Every method is optional, so an observer says only what it listens to.
 */
export interface PipelineObserver {
  /** The position a sink's drain starts from (for its age and staleness). */
  cursorRead?(sink: string, cursor: Cursor | null): void;
  /** A sink accepted a page and its position was committed. */
  committed?(sink: string, events: readonly WorkOSEvent[], cursor: Cursor): void;
  /** A sink accepted these events of a page (after its own `events` filter), in `seconds`. */
  sinkDelivered?(sink: string, events: readonly WorkOSEvent[], seconds: number): void;
  /** A sink gave up on a page (`halted`: it waits and retries with backoff), or accepted one again. */
  sinkHalted?(sink: string, halted: boolean): void;
  deadLettered?(sink: string, events: readonly WorkOSEvent[]): void;
  /** A wait before another attempt of `operation`. */
  retried?(operation: string, delayMs: number, rateLimited: boolean): void;
  orderViolation?(): void;
  /**
   * The store was found empty and the remembered positions written back: by the instance about
   * to drain (`drain`), or by a standby in its lease round (`standby`).
   */
  cursorRestored?(by: 'drain' | 'standby'): void;
  /** A sink's drain ended: caught up (no `err`), or failed. */
  laneFinished?(sink: string, err?: Error): void;
  /** How many events a sink is behind the sink furthest ahead, when known (see StreamIndex). */
  sinkBehind?(sink: string, events: number | undefined): void;
}

type Method = keyof PipelineObserver;

/** One observer that tells each of `observers`, in order. */
export function observeAll(observers: readonly PipelineObserver[]): Required<PipelineObserver> {
  const fan = <M extends Method>(method: M) => ((...args: unknown[]) => {
    for (const observer of observers) (observer[method] as ((...a: unknown[]) => void) | undefined)?.apply(observer, args);
  }) as Required<PipelineObserver>[M];
  return {
    cursorRead: fan('cursorRead'),
    committed: fan('committed'),
    sinkDelivered: fan('sinkDelivered'),
    sinkHalted: fan('sinkHalted'),
    deadLettered: fan('deadLettered'),
    retried: fan('retried'),
    orderViolation: fan('orderViolation'),
    cursorRestored: fan('cursorRestored'),
    laneFinished: fan('laneFinished'),
    sinkBehind: fan('sinkBehind'),
  };
}
