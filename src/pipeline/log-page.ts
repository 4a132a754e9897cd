import type { Logger } from 'pino';
import { countByType, organizationIdOf, parseEventTime, type WorkOSEvent } from '../workos/event.js';

/**
 * The line per committed page, with fields that join WorkOS's own Datadog stream
 * (`event_type`, `event_id`, `organization_id`); at debug level, also one line per event.
 */
export function logPage(logger: Logger, events: readonly WorkOSEvent[], nowMs: number): void {
  const last = events.at(-1)!;
  const organizations = new Set<string>();
  for (const event of events) {
    const org = organizationIdOf(event);
    if (org) organizations.add(org);
  }
  logger.info(
    {
      count: events.length,
      first_event_id: events[0]!.id,
      last_event_id: last.id,
      lag_seconds: Math.max(0, (nowMs - parseEventTime(last.created_at)) / 1000),
      event_type: countByType(events),
      organization_id: [...organizations],
    },
    'delivered a page',
  );
  if (logger.isLevelEnabled('debug')) {
    for (const event of events) {
      logger.debug({ event_id: event.id, event_type: event.event, organization_id: organizationIdOf(event), created_at: event.created_at }, 'delivered an event');
    }
  }
}
