import { isWesError } from '../errors.js';
import type { RetryOptions } from '../retry/with-retry.js';
import type { WorkOSApi } from '../workos/workos-api.js';
import { listAll, type WorkOSObject } from './list-objects.js';

/** One table's worth of WorkOS state, or why it could not be read (a key without Directory Sync, say). */
export type StateListing = { readonly objects: readonly WorkOSObject[] } | { readonly skipped: string };

/** The mirror tables reconcile compares, in the order they are fetched and printed. */
export const RECONCILED_TABLES = ['organizations', 'users', 'organization_memberships', 'connections', 'directories', 'directory_users', 'directory_groups'] as const;
export type ReconciledTable = (typeof RECONCILED_TABLES)[number];

/** A key that may not read an API (403), or an API the account does not have (404): skip that table, say why. */
function unavailable(err: unknown): string | undefined {
  return isWesError(err) && (err.httpStatus === 403 || err.httpStatus === 404) ? err.message : undefined;
}

async function attempt(fetch: () => Promise<WorkOSObject[]>): Promise<StateListing> {
  try {
    return { objects: await fetch() };
  } catch (err) {
    const reason = unavailable(err);
    if (reason) return { skipped: reason };
    throw err;
  }
}

/**
 * Lists the current state from the WorkOS APIs, page by page: memberships per organization and
 * directory users and groups per directory, since those endpoints require that filter.
 */
export async function fetchWorkOSState(api: WorkOSApi, retry: Omit<RetryOptions, 'what'>): Promise<Map<ReconciledTable, StateListing>> {
  const state = new Map<ReconciledTable, StateListing>();
  const list = (path: string, query: Record<string, string> = {}) => listAll(api, path, query, retry);
  const each = async (parents: readonly WorkOSObject[], path: string, filter: string): Promise<WorkOSObject[]> => {
    const all: WorkOSObject[] = [];
    for (const parent of parents) all.push(...(await list(path, { [filter]: parent.id })));
    return all;
  };

  const organizations = await attempt(() => list('/organizations'));
  state.set('organizations', organizations);
  state.set('users', await attempt(() => list('/user_management/users')));
  state.set('organization_memberships', 'objects' in organizations
    ? await attempt(() => each(organizations.objects, '/user_management/organization_memberships', 'organization_id'))
    : { skipped: 'organizations could not be listed' });
  state.set('connections', await attempt(() => list('/connections')));
  const directories = await attempt(() => list('/directories'));
  state.set('directories', directories);
  for (const [table, path] of [['directory_users', '/directory_users'], ['directory_groups', '/directory_groups']] as const) {
    state.set(table, 'objects' in directories ? await attempt(() => each(directories.objects, path, 'directory')) : { skipped: 'directories could not be listed' });
  }
  return state;
}
