import { parseEventTime } from '../workos/event.js';
import type { Cursor } from './cursor-store.js';

function timeOf(cursor: Cursor): number {
  return cursor.createdAt ? parseEventTime(cursor.createdAt) : Number.NaN;
}

/**
 * The freshest cursor this process has seen, read from the store or committed by itself. It is
 * the second copy that lets a deployment survive a Redis that comes back empty: whichever
 * instance finds the store empty writes this back instead of starting over from "startFrom"
 * (replaying 30 days) or from "now" (skipping what happened while Redis was down).
 *
 * Freshest means the latest `created_at`: a cursor in the store has only ever been delivered up
 * to, so a position older than one already seen is never worth restoring. A tie goes to the
 * newer sighting, so that an accepted filter change replaces the old filter.
 */
export class CursorMemory {
  private cursor: Cursor | null = null;
  /** Set once this process has waited for its replicas to restore a cursor (see readCursor). */
  peersAwaited = false;

  get latest(): Cursor | null {
    return this.cursor;
  }

  remember(cursor: Cursor | null): void {
    if (!cursor) return;
    const known = this.cursor;
    if (!known) {
      this.cursor = cursor;
      return;
    }
    const next = timeOf(cursor);
    const prev = timeOf(known);
    // A cursor without a time (set by hand) can't be ordered: the store's word is taken for it.
    if (Number.isNaN(next) || Number.isNaN(prev) || next >= prev) this.cursor = cursor;
  }
}
