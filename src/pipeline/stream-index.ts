import type { Cursor } from '../cursor/cursor-store.js';
import type { WorkOSEvent } from '../workos/event.js';

/** How a position is known here: by its event id, or by its time for a start position. */
function keyOf(position: Cursor | null): string {
  if (!position) return '';
  return position.id ?? `t:${position.createdAt ?? ''}`;
}

/**
 * Numbers the stream as this process reads it, page by page, to say how many events a sink is
 * behind the one furthest ahead. The first page read starts the count; a page read from a position
 * already numbered extends it. A sink whose position is not numbered (it started further back
 * than anything read since the start) has no count until it reaches one that is: its lag in time
 * (`sink_lag_seconds`) is always known, its count of events only from there on. Only page ends
 * are kept, and those every sink has passed are dropped.
 */
export class StreamIndex {
  private readonly numbers = new Map<string, number>();

  /** A page read after `from`: its last event is numbered if `from` was (or nothing was yet). */
  record(from: Cursor | null, events: readonly WorkOSEvent[]): void {
    const last = events.at(-1);
    if (!last) return;
    const start = this.numbers.size === 0 ? 0 : this.numbers.get(keyOf(from));
    if (start === undefined) return;
    if (this.numbers.size === 0) this.numbers.set(keyOf(from), 0);
    this.numbers.set(last.id, start + events.length);
  }

  /** Events between each position and the furthest numbered one; undefined where unknown. */
  behind(positions: ReadonlyMap<string, Cursor | null | undefined>): Map<string, number | undefined> {
    const numbered = new Map([...positions].map(([name, p]) => [name, p === undefined ? undefined : this.numbers.get(keyOf(p))]));
    const head = Math.max(-1, ...[...numbered.values()].filter((n): n is number => n !== undefined));
    const lowest = Math.min(...[...numbered.values()].map((n) => n ?? -1));
    // Page ends behind every sink are never asked about again (a sink at none is not numbered).
    if (lowest >= 0) for (const [key, n] of this.numbers) if (n < lowest) this.numbers.delete(key);
    return new Map([...numbered].map(([name, n]) => [name, n === undefined || head < 0 ? undefined : head - n]));
  }
}
