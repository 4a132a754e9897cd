import { organizationIdOf, type WorkOSEvent } from '../../workos/event.js';

/** The placeholders a `stream` template may use. */
export const STREAM_PLACEHOLDERS = ['event', 'organization_id'] as const;

/** What an event tied to no organization (a user-level event) puts in `{organization_id}`. */
export const NO_ORGANIZATION = 'none';

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The `{name}` placeholders of a template that are not supported, for the config's error message. */
export function unknownPlaceholders(template: string): string[] {
  const known: readonly string[] = STREAM_PLACEHOLDERS;
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!).filter((name) => !known.includes(name));
}

/**
 * Builds a function that names the stream of each event from a template such as
 * `workos:events:{event}`: `{event}` is the event type, `{organization_id}` the event's
 * organization (`organizationIdOf`, or `none`). A template without placeholders names one stream for all.
 */
export function compileStreamName(template: string): (event: WorkOSEvent) => string {
  if (!template.includes('{')) return () => template;
  return (event) =>
    template.replace(PLACEHOLDER, (_whole, name: string) => (name === 'event' ? String(event.event) : (organizationIdOf(event) ?? NO_ORGANIZATION)));
}
