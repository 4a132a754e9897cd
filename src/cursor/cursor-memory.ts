import type { Cursor, Positions } from './cursor-store.js';
import { comparePositions } from './position-order.js';

/** A tie or an unordered pair (a cursor set by hand has no time) goes to the newer sighting. */
function fresher(known: Cursor | null | undefined, seen: Cursor): Cursor {
  if (!known || !known.createdAt || !seen.createdAt) return seen;
  return comparePositions(seen, known) >= 0 ? seen : known;
}

/**
 * The freshest positions this process has seen, read from the store or committed by itself. It is
 * the second copy that lets a deployment survive a Redis that comes back empty: whichever
 * instance finds the store empty writes this back instead of starting over from "startFrom"
 * (replaying 30 days) or from "now" (skipping what happened while Redis was down).
 *
 * Freshest means the latest position, per sink: a position in the store has only ever been
 * delivered up to, so one older than a position already seen is never worth restoring. A tie
 * goes to the newer sighting, so that an accepted filter change replaces the old filter.
 */
export class CursorMemory {
  private deployment: Cursor | null = null;
  private sinks: Map<string, Cursor> | undefined;
  /** Set once this process has waited for its replicas to restore the positions (see readPositions). */
  peersAwaited = false;

  /** What this process would write back into an empty store; null when it has seen nothing. */
  get latest(): Positions | null {
    if (!this.deployment && !this.sinks) return null;
    return { deployment: this.deployment, sinks: this.sinks ? new Map(this.sinks) : undefined };
  }

  remember(positions: Positions): void {
    if (positions.deployment) this.rememberDeployment(positions.deployment);
    for (const [sink, cursor] of positions.sinks ?? []) this.rememberSink(sink, cursor);
  }

  rememberSink(sink: string, cursor: Cursor): void {
    this.sinks ??= new Map();
    this.sinks.set(sink, fresher(this.sinks.get(sink), cursor));
  }

  rememberDeployment(cursor: Cursor): void {
    this.deployment = fresher(this.deployment, cursor);
  }
}
