import { parseEventTime } from '../time/parse-event-time.js';
import type { Cursor } from './cursor-store.js';

function timeOf(cursor: Cursor | null): number {
  if (!cursor) return Number.NEGATIVE_INFINITY;
  const ms = cursor.createdAt ? parseEventTime(cursor.createdAt) : Number.NaN;
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/**
 * Orders two positions in the one stream every sink reads: by the event's `created_at`, then by
 * id (WorkOS ids sort in creation order within a millisecond). No cursor is the very beginning;
 * a cursor without a time (set by hand) sorts first, since nothing is known of it. Event ids are
 * otherwise opaque: this is only ever used to pick the slowest of several sinks and to hold a
 * dependent sink back, both of which err on the side of replaying.
 */
export function comparePositions(a: Cursor | null, b: Cursor | null): number {
  const byTime = timeOf(a) - timeOf(b);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime < 0 ? -1 : 1;
  const idA = a?.id ?? '';
  const idB = b?.id ?? '';
  return idA < idB ? -1 : idA > idB ? 1 : 0;
}

/** The earliest of the positions; null when the list is empty or holds the very beginning. */
export function earliestPosition(positions: Iterable<Cursor | null>): Cursor | null {
  let earliest: Cursor | null | undefined;
  for (const p of positions) if (earliest === undefined || comparePositions(p, earliest) < 0) earliest = p;
  return earliest ?? null;
}
