import type { ListFilter, ObjectKind, ObjectStateView, StateObject } from './object-state.js';

/**
 * An object as a state API lists it, derived when asked from the objects the events left (so the
 * state kept stays one copy, and a listing always shows the latest of everything it embeds).
 * The events' `data` and the APIs differ where the SDK's types say so:
 * - `GET /organizations`: `domains` are the organization's domains now, as OrganizationDomainResponse
 *   (a domain verified after the last organization.* event shows verified);
 * - `GET /directories` (DirectoryResponse): a `domain` string instead of `domains[]`, and the
 *   state spelled `linked`/`unlinked` where the events say `active`/`inactive`;
 * - `GET /directory_users` (DirectoryUserWithGroupsResponse): the user's `groups` now (deprecated
 *   by WorkOS, still sent to existing teams), no `previous_attributes`;
 * - `GET /directory_groups`: no `previous_attributes`.
 */
export function listedObject(state: ObjectStateView, kind: ObjectKind, object: StateObject): StateObject {
  switch (kind) {
    case 'organizations':
      return { ...object, domains: all(state, 'organization_domains', { organizationId: String(object['id']) }) };
    case 'directories':
      return listedDirectory(object);
    case 'directory_users': {
      const { previous_attributes: _previous, ...user } = object;
      const groups = all(state, 'directory_group_memberships', { directoryUserId: String(object['id']) })
        .map((membership) => state.get('directory_groups', String((membership['group'] as StateObject)['id'])))
        .filter((group): group is StateObject => group !== undefined)
        .map(listedGroup);
      return { ...user, groups };
    }
    case 'directory_groups':
      return listedGroup(object);
    default:
      return object;
  }
}

function listedGroup(group: StateObject): StateObject {
  const { previous_attributes: _previous, ...rest } = group;
  return rest;
}

const API_STATE: Readonly<Record<string, string>> = { active: 'linked', inactive: 'unlinked' };

function listedDirectory(directory: StateObject): StateObject {
  const { domains, ...rest } = directory;
  const first = Array.isArray(domains) ? (domains[0] as StateObject | undefined) : undefined;
  const state = String(directory['state']);
  return { ...rest, domain: (first?.['domain'] as string | undefined) ?? null, state: API_STATE[state] ?? state };
}

function all(state: ObjectStateView, kind: ObjectKind, filter: ListFilter): StateObject[] {
  return state.page(kind, filter, { order: 'asc', limit: Number.MAX_SAFE_INTEGER }).data;
}
