import type { Cursor } from '../cursor/cursor-store.js';
import { comparePositions } from '../cursor/position-order.js';
import type { WorkOSEvent } from '../workos/event.js';

/**
 * How many of a page's events (from the start) a sink with `after` may receive: those at or
 * before the upstream sink's committed position. The upstream reads the same stream, so its
 * position is normally one of these events; when it is not, the events are compared by time,
 * which holds back rather than lets through.
 */
export function allowedAfter(events: readonly WorkOSEvent[], upstream: Cursor | null): number {
  if (!upstream) return 0;
  const at = upstream.id ? events.findIndex((e) => e.id === upstream.id) : -1;
  if (at >= 0) return at + 1;
  let allowed = 0;
  while (allowed < events.length && comparePositions({ id: events[allowed]!.id, createdAt: events[allowed]!.created_at }, upstream) < 0) allowed++;
  return allowed;
}
