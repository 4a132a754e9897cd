import { WesError } from '../../errors.js';
import { organizationIdOf, parseEventTime, type WorkOSEvent } from '../../workos/event.js';

/** The values of one row of the events table, in column order of the insert (which binds them, never splices them into the SQL). */
export type EventRow = readonly [id: string, eventType: string, organizationId: string | null, createdAt: string, payload: string];

/**
 * Turns an event into its row. `created_at` is parsed here, not by Postgres, because WorkOS's
 * older `"2023-04-28 20:05:31.093"` form has no zone and means UTC, while Postgres would read it
 * in the session's time zone. The payload is the event exactly as received, as JSON text.
 */
export function eventRow(sinkName: string, event: WorkOSEvent): EventRow {
  const createdAtMs = typeof event.created_at === 'string' ? parseEventTime(event.created_at) : Number.NaN;
  if (Number.isNaN(createdAtMs)) {
    throw new WesError('WES_ERR_SINK_REJECTED', `sink "${sinkName}": event ${event.id} has created_at ${JSON.stringify(event.created_at)}, which is not a time`);
  }
  return [event.id, event.event, organizationIdOf(event) ?? null, new Date(createdAtMs).toISOString(), JSON.stringify(event)];
}
