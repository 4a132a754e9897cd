/**
 * An event exactly as WorkOS sent it: snake_case keys, unknown types and unknown fields kept.
 * Only the fields the pipeline relies on are typed; everything else passes through untouched.
 */
export interface WorkOSEvent {
  readonly id: string;
  readonly event: string;
  readonly created_at: string;
  readonly data: Record<string, unknown>;
  readonly object?: string;
  readonly context?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

export { parseEventTime } from '../time/parse-event-time.js';

/** Counts by event type, for log lines that join WorkOS's own Datadog stream. */
export function countByType(events: readonly WorkOSEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) counts[e.event] = (counts[e.event] ?? 0) + 1;
  return counts;
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The organization an event is tied to, one definition for logs, sinks and templates: the id of
 * an organization object (`organization.*` events), `data.organization_id`, or the
 * `organization_id` of a nested object (`sso`, `user`, `group`, `organization_domain`).
 * Undefined for user-level events such as `user.created`.
 */
export function organizationIdOf(event: WorkOSEvent): string | undefined {
  const data = (event.data ?? {}) as Record<string, unknown>;
  if (event.event.startsWith('organization.') || data['object'] === 'organization') {
    const id = nonEmpty(data['id']);
    if (id) return id;
  }
  const own = nonEmpty(data['organization_id']);
  if (own) return own;
  for (const key of ['sso', 'user', 'group', 'organization_domain']) {
    const nested = data[key];
    if (nested && typeof nested === 'object') {
      const id = nonEmpty((nested as Record<string, unknown>)['organization_id']);
      if (id) return id;
    }
  }
  return undefined;
}
