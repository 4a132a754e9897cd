import { WesError } from '../errors.js';
import { parseEventTime, type WorkOSEvent } from './event.js';

/** One page of `/events`, validated just enough that the pipeline's invariants can be checked. */
export interface EventsPage {
  readonly events: readonly WorkOSEvent[];
  /** The server's own cursor, logged for debugging only: the daemon never stores it. */
  readonly listAfter: string | null;
}

function malformed(reason: string): WesError {
  // Retryable: a proxy or a bad deploy on the other side is the usual cause, and the cursor stays put.
  return new WesError('WES_ERR_MALFORMED_PAGE', `malformed /events page: ${reason}`, { retryable: true });
}

/**
 * Checks the shape of a `/events` body without copying the events: each must have a string `id`,
 * a string `event`, an object `data` and a parseable `created_at`. Unknown event types are fine.
 */
export function parseEventsPage(body: unknown): EventsPage {
  if (body === null || typeof body !== 'object') throw malformed(`expected a JSON object, got ${body === null ? 'no JSON body' : typeof body}`);
  const { data, list_metadata: meta } = body as { data?: unknown; list_metadata?: { after?: unknown } };
  if (!Array.isArray(data)) throw malformed('"data" is not an array');
  for (let i = 0; i < data.length; i++) {
    const e = data[i] as Partial<WorkOSEvent> | null;
    if (e === null || typeof e !== 'object') throw malformed(`data[${i}] is not an object`);
    if (typeof e.id !== 'string' || e.id === '') throw malformed(`data[${i}].id is missing`);
    if (typeof e.event !== 'string' || e.event === '') throw malformed(`data[${i}] (${e.id}) has no event type`);
    if (typeof e.created_at !== 'string' || Number.isNaN(parseEventTime(e.created_at))) {
      throw malformed(`data[${i}] (${e.id}) has an unreadable created_at`);
    }
    if (e.data === null || typeof e.data !== 'object') throw malformed(`data[${i}] (${e.id}) has no data object`);
  }
  const after = meta && typeof meta.after === 'string' ? meta.after : null;
  return { events: data as WorkOSEvent[], listAfter: after };
}
