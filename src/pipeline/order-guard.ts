import { WesError } from '../errors.js';
import type { Cursor } from '../cursor/cursor-store.js';
import { parseEventTime, type WorkOSEvent } from '../workos/event.js';

function violation(detail: string): WesError {
  return new WesError(
    'WES_ERR_ORDER_VIOLATION',
    `WorkOS returned events out of order (${detail}); the server may be ignoring the cursor, so nothing from this page was delivered`,
  );
}

/**
 * The pipeline's safety net against a server that ignores `after` or `order`: `created_at` must
 * not go backwards within the page, the first event must not be older than the cursor's, and the
 * cursor's own event must not come back. Delivering such a page could move the cursor backwards.
 */
export function checkOrder(events: readonly WorkOSEvent[], position: Cursor | null): void {
  let previousTime = position?.createdAt ? parseEventTime(position.createdAt) : Number.NEGATIVE_INFINITY;
  let previousLabel = position?.id ? `the cursor ${position.id}` : `the start time ${position?.createdAt ?? ''}`;
  for (const event of events) {
    if (position?.id && event.id === position.id) throw violation(`the page repeats the cursor event ${event.id}`);
    const time = parseEventTime(event.created_at);
    if (time < previousTime) throw violation(`${event.id} at ${event.created_at} is older than ${previousLabel}`);
    previousTime = time;
    previousLabel = `${event.id} at ${event.created_at}`;
  }
}
