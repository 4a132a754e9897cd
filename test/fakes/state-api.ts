import type { ListFilter, ListQuery, ObjectKind, ObjectStateView } from './object-state.js';
import { listedObject } from './state-views.js';
import { paramReader, parseListParams, queryError, type QueryError, type QueryProblem } from './list-params.js';

/** One state API: GET <path> lists <kind>, with these query parameters as filters. */
export interface StateRoute {
  path: string;
  kind: ObjectKind;
  /** Query parameter -> filter. */
  filters: Readonly<Record<string, keyof ListFilter>>;
  /** At least one of these parameters must be present (422 otherwise). */
  requireOneOf?: readonly string[];
}

/** The state APIs of .scratch/mirror-spec.md, as the fake serves them. */
const ROUTES: StateRoute[] = [
  // `domains` is accepted and ignored, as the spec says.
  { path: '/organizations', kind: 'organizations', filters: {} },
  { path: '/user_management/users', kind: 'users', filters: { organization_id: 'organizationId', email: 'email' } },
  {
    path: '/user_management/organization_memberships',
    kind: 'organization_memberships',
    filters: { organization_id: 'organizationId', user_id: 'userId' },
    requireOneOf: ['organization_id', 'user_id'],
  },
  { path: '/directories', kind: 'directories', filters: { organization_id: 'organizationId' } },
  {
    path: '/directory_users',
    kind: 'directory_users',
    filters: { directory: 'directoryId', group: 'groupId' },
    requireOneOf: ['directory', 'group'],
  },
  {
    path: '/directory_groups',
    kind: 'directory_groups',
    filters: { directory: 'directoryId', user: 'directoryUserId' },
    requireOneOf: ['directory', 'user'],
  },
  { path: '/connections', kind: 'connections', filters: { organization_id: 'organizationId' } },
];
export const STATE_ROUTES: readonly StateRoute[] = Object.freeze(ROUTES);

const BY_PATH = new Map(STATE_ROUTES.map((r) => [r.path, r]));

export function findStateRoute(path: string): StateRoute | undefined {
  return BY_PATH.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
}

export type ParsedListQuery = { ok: true; filter: ListFilter; query: ListQuery } | { ok: false; error: QueryError };

/**
 * Validates a state API query, reporting every problem at once (422 body as GET /events does:
 * `{ message, code: 'unprocessable_entity', errors: [{ code, field }] }`). Empty values count
 * as absent; unknown parameters are ignored.
 */
export function parseListQuery(route: StateRoute, params: URLSearchParams): ParsedListQuery {
  const problems: QueryProblem[] = [];
  const value = paramReader(params);
  const query: ListQuery = parseListParams(value, problems);

  const filter: ListFilter = {};
  for (const [param, key] of Object.entries(route.filters)) {
    const given = value(param);
    if (given !== undefined) filter[key] = given;
  }
  if (route.requireOneOf && !route.requireOneOf.some((param) => value(param) !== undefined)) {
    const names = route.requireOneOf.join(' or ');
    for (const field of route.requireOneOf) {
      problems.push({ message: `${names} is required`, code: 'required', field });
    }
  }

  const error = queryError(problems);
  if (error) return { ok: false, error };
  return { ok: true, filter, query };
}

export interface StateResponse {
  status: number;
  body: unknown;
}

/** The answer of a state API to a GET, or undefined when `path` is not one. */
export function handleStateRequest(state: ObjectStateView, path: string, params: URLSearchParams): StateResponse | undefined {
  const route = findStateRoute(path);
  if (!route) return undefined;
  const parsed = parseListQuery(route, params);
  if (!parsed.ok) return { status: 422, body: parsed.error };
  const page = state.page(route.kind, parsed.filter, parsed.query);
  const data = page.data.map((object) => listedObject(state, route.kind, object));
  return { status: 200, body: { object: 'list', data, list_metadata: { before: page.before, after: page.after } } };
}
