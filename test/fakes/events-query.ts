import { paramReader, parseListParams, queryError, type ListParams, type QueryError, type QueryProblem } from './list-params.js';

/** A validated GET /events query. */
export interface EventsQuery extends ListParams {
  /** Undefined means every type. */
  types?: ReadonlySet<string>;
  organizationId?: string;
  /** Inclusive lower bound on created_at, epoch ms. */
  rangeStartMs?: number;
  /** Exclusive upper bound on created_at, epoch ms. */
  rangeEndMs?: number;
}

export type ParsedEventsQuery = { ok: true; query: EventsQuery } | { ok: false; error: QueryError };

/**
 * Parses and validates the query string of GET /events. Every problem is reported at once.
 * Empty values count as absent, as the Node SDK drops them before sending.
 */
export function parseEventsQuery(params: URLSearchParams, isKnownType: (type: string) => boolean): ParsedEventsQuery {
  const problems: QueryProblem[] = [];
  const value = paramReader(params);
  const query: EventsQuery = parseListParams(value, problems);
  const organizationId = value('organization_id');
  if (organizationId !== undefined) query.organizationId = organizationId;

  // The spec and the SDK send `events=a,b`; WorkOS's emulator reads `events[]=a&events[]=b`.
  const types = [...params.getAll('events'), ...params.getAll('events[]')]
    .flatMap((entry) => entry.split(','))
    .map((type) => type.trim())
    .filter((type) => type !== '');
  const unknown = [...new Set(types.filter((type) => !isKnownType(type)))];
  if (unknown.length > 0) {
    problems.push({ message: `Invalid event type(s): ${unknown.join(', ')}`, code: 'invalid_event_type', field: 'events' });
  }
  if (types.length > 0) query.types = new Set(types);

  for (const [field, key] of [['range_start', 'rangeStartMs'], ['range_end', 'rangeEndMs']] as const) {
    const raw = value(field);
    if (raw === undefined) continue;
    const ms = Date.parse(raw);
    if (Number.isNaN(ms)) problems.push({ message: `${field} must be an ISO-8601 date; got "${raw}"`, code: 'invalid_date', field });
    else query[key] = ms;
  }

  if (query.after !== undefined && value('range_start') !== undefined) {
    problems.push({ message: 'after and range_start cannot be used together', code: 'mutually_exclusive', field: 'range_start' });
  }

  const error = queryError(problems);
  if (error) return { ok: false, error };
  return { ok: true, query };
}
