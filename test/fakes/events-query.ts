/** A validated GET /events query. */
export interface EventsQuery {
  order: 'asc' | 'desc';
  /** 1..100. */
  limit: number;
  after?: string;
  before?: string;
  /** Undefined means every type. */
  types?: ReadonlySet<string>;
  organizationId?: string;
  /** Inclusive lower bound on created_at, epoch ms. */
  rangeStartMs?: number;
  /** Exclusive upper bound on created_at, epoch ms. */
  rangeEndMs?: number;
}

export interface QueryFieldError {
  code: string;
  field: string;
}

/** The body of a 422, shaped like WorkOS's: `{ message, code, errors: [{ code, field }] }`. */
export interface QueryError {
  message: string;
  code: 'unprocessable_entity';
  errors: QueryFieldError[];
}

export type ParsedEventsQuery = { ok: true; query: EventsQuery } | { ok: false; error: QueryError };

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

/**
 * Parses and validates the query string of GET /events. Every problem is reported at once.
 * Empty values count as absent, as the Node SDK drops them before sending.
 */
export function parseEventsQuery(params: URLSearchParams, isKnownType: (type: string) => boolean): ParsedEventsQuery {
  const problems: { message: string; code: string; field: string }[] = [];
  const value = (name: string): string | undefined => {
    const raw = params.get(name);
    return raw === null || raw === '' ? undefined : raw;
  };

  const query: EventsQuery = { order: 'desc', limit: DEFAULT_LIMIT };

  // The documented default is `desc`; `normal` is an accepted alias of `asc`.
  const order = value('order');
  if (order === 'asc' || order === 'normal') query.order = 'asc';
  else if (order !== undefined && order !== 'desc') {
    problems.push({ message: `order must be one of asc, desc, normal; got "${order}"`, code: 'invalid_order', field: 'order' });
  }

  const limit = value('limit');
  if (limit !== undefined) {
    const parsed = /^\d+$/.test(limit) ? Number(limit) : Number.NaN;
    if (parsed >= 1 && parsed <= MAX_LIMIT) query.limit = parsed;
    else problems.push({ message: `limit must be an integer from 1 to ${MAX_LIMIT}; got "${limit}"`, code: 'invalid_limit', field: 'limit' });
  }

  const after = value('after');
  if (after !== undefined) query.after = after;
  const before = value('before');
  if (before !== undefined) query.before = before;
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

  if (after !== undefined && value('range_start') !== undefined) {
    problems.push({ message: 'after and range_start cannot be used together', code: 'mutually_exclusive', field: 'range_start' });
  }

  const [first] = problems;
  if (first) {
    return {
      ok: false,
      error: {
        message: first.message,
        code: 'unprocessable_entity',
        errors: problems.map(({ code, field }) => ({ code, field })),
      },
    };
  }
  return { ok: true, query };
}
