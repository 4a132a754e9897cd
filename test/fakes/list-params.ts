/** What GET /events and the state APIs share in their query strings: order, limit and the cursors. */
export interface ListParams {
  order: 'asc' | 'desc';
  /** 1..100. */
  limit: number;
  after?: string;
  before?: string;
}

/** One problem with a query, as reported in a 422. */
export interface QueryProblem {
  message: string;
  code: string;
  field: string;
}

/** The body of a 422, shaped like WorkOS's: `{ message, code, errors: [{ code, field }] }`. */
export interface QueryError {
  message: string;
  code: 'unprocessable_entity';
  errors: { code: string; field: string }[];
}

const DEFAULT_LIMIT = 10;
const MAX_LIMIT = 100;

/** Reads a query parameter; empty values count as absent, as the Node SDK drops them before sending. */
export function paramReader(params: URLSearchParams): (name: string) => string | undefined {
  return (name) => {
    const raw = params.get(name);
    return raw === null || raw === '' ? undefined : raw;
  };
}

/** Parses order (documented default `desc`; `normal` is an accepted alias of `asc`), limit, after and before. */
export function parseListParams(value: (name: string) => string | undefined, problems: QueryProblem[]): ListParams {
  const list: ListParams = { order: 'desc', limit: DEFAULT_LIMIT };
  const order = value('order');
  if (order === 'asc' || order === 'normal') list.order = 'asc';
  else if (order !== undefined && order !== 'desc') {
    problems.push({ message: `order must be one of asc, desc, normal; got "${order}"`, code: 'invalid_order', field: 'order' });
  }
  const limit = value('limit');
  if (limit !== undefined) {
    const parsed = /^\d+$/.test(limit) ? Number(limit) : Number.NaN;
    if (parsed >= 1 && parsed <= MAX_LIMIT) list.limit = parsed;
    else problems.push({ message: `limit must be an integer from 1 to ${MAX_LIMIT}; got "${limit}"`, code: 'invalid_limit', field: 'limit' });
  }
  const after = value('after');
  if (after !== undefined) list.after = after;
  const before = value('before');
  if (before !== undefined) list.before = before;
  return list;
}

/** The 422 body for `problems` (every one listed, the first as the message), or undefined when there are none. */
export function queryError(problems: readonly QueryProblem[]): QueryError | undefined {
  const [first] = problems;
  if (!first) return undefined;
  return { message: first.message, code: 'unprocessable_entity', errors: problems.map(({ code, field }) => ({ code, field })) };
}
