import type { WorkOSEvent } from '../../workos/event.js';

/** What `{organization_id}` becomes for events tied to no organization (e.g. `user.created`). */
export const NO_ORGANIZATION = 'none';

/** AMQP carries the routing key as a short string: at most 255 bytes. */
export const MAX_ROUTING_KEY_BYTES = 255;

const PLACEHOLDER = /\{([^{}]*)\}/g;
const KNOWN = new Set(['event', 'organization_id']);

/** A problem with a routing key template (for the config check), or undefined when it is fine. */
export function routingKeyTemplateProblem(template: string): string | undefined {
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!KNOWN.has(match[1]!)) return `unknown placeholder {${match[1]}}; expected {event} or {organization_id}`;
  }
  const rest = template.replace(PLACEHOLDER, '');
  if (rest.includes('{') || rest.includes('}')) return 'unbalanced "{" or "}"; placeholders are {event} and {organization_id}';
  return undefined;
}

/** The organization an event belongs to, as the pipeline's logs define it. */
function organizationOf(event: WorkOSEvent): string {
  const data = event.data as { organization_id?: unknown; id?: unknown; object?: unknown } | undefined;
  if (typeof data?.organization_id === 'string' && data.organization_id) return data.organization_id;
  if (data?.object === 'organization' && typeof data.id === 'string' && data.id) return data.id;
  return NO_ORGANIZATION;
}

/** Fills a template (already validated) for one event: `{event}` is the event type. */
export function renderRoutingKey(template: string, event: WorkOSEvent): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => (name === 'event' ? event.event : organizationOf(event)));
}
