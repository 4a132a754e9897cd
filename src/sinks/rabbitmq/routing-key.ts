import { organizationIdOf, type WorkOSEvent } from '../../workos/event.js';

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

/** Fills a template (already validated) for one event: `{event}` is the event type. */
export function renderRoutingKey(template: string, event: WorkOSEvent): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) => (name === 'event' ? event.event : organizationIdOf(event) ?? NO_ORGANIZATION));
}
