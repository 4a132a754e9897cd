import { organizationIdOf, type WorkOSEvent } from '../../workos/event.js';

/** The placeholders a subject template may use. */
export const SUBJECT_PLACEHOLDERS = ['event', 'organization_id'] as const;

/** What `{organization_id}` becomes for an event tied to no organization (`user.created`). */
export const NO_ORGANIZATION = 'none';

const PLACEHOLDER = /\{([^{}]*)\}/g;

/**
 * Why a subject template is unusable, or undefined when it is fine. The rendered subject must be a
 * valid NATS subject: no whitespace or wildcards, no empty token (a leading, trailing or doubled
 * dot), and only the known placeholders.
 */
export function subjectTemplateProblem(template: string): string | undefined {
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!(SUBJECT_PLACEHOLDERS as readonly string[]).includes(match[1]!)) {
      return `unknown placeholder {${match[1]}}; expected {event} or {organization_id}`;
    }
  }
  const literal = template.replace(PLACEHOLDER, 'x');
  if (/[{}]/.test(literal)) return 'unbalanced "{" or "}"';
  if (/[\s*>]/.test(literal)) return 'must not contain whitespace or the wildcards "*" and ">"';
  if (literal.split('.').some((token) => token === '')) return 'must not have an empty token (a leading, trailing or doubled ".")';
  return undefined;
}

/**
 * The subjects a stream needs to capture everything the template can produce: the literal tokens
 * before the first placeholder followed by `>`, or the template itself when it has no placeholder.
 * Undefined when the template starts with a placeholder (only `>` would cover it, which would also
 * capture unrelated traffic): the config must then list the stream's subjects.
 */
export function defaultStreamSubjects(template: string): string[] | undefined {
  const first = template.indexOf('{');
  if (first === -1) return [template];
  const lastDot = template.lastIndexOf('.', first);
  if (lastDot <= 0) return undefined;
  return [`${template.slice(0, lastDot + 1)}>`];
}

/**
 * A value made safe as (part of) a subject: whitespace and wildcards become "_"; `keepDots` false
 * also turns dots into "_" so that one value stays one token. Empty becomes "_".
 */
function subjectPart(value: string, keepDots: boolean): string {
  const cleaned = value.replace(keepDots ? /[\s*>]/g : /[\s*>.]/g, '_');
  if (!keepDots) return cleaned === '' ? '_' : cleaned;
  // An empty token (leading, trailing or doubled dot) would make the whole subject invalid.
  return cleaned.split('.').map((token) => (token === '' ? '_' : token)).join('.');
}

/**
 * The subject of one event. `{event}` keeps its dots, so `dsync.user.created` nests as three
 * tokens (subscribers can use `workos.events.dsync.>`); `{organization_id}` is one token.
 */
export function renderSubject(template: string, event: WorkOSEvent): string {
  return template.replace(PLACEHOLDER, (_whole, name: string) =>
    name === 'event' ? subjectPart(event.event, true) : subjectPart(organizationIdOf(event) ?? NO_ORGANIZATION, false),
  );
}
