import type pg from 'pg';
import { isWesError } from '../errors.js';
import type { RetryOptions } from '../retry/with-retry.js';
import type { MirrorTableName } from '../sinks/postgres-mirror/mirror-tables.js';
import type { ApiQuery, WorkOSApi } from '../workos/workos-api.js';
import type { FieldDifference } from './compare-row.js';
import { listPages, type WorkOSObject } from './list-objects.js';
import { DifferenceList, TableReconciler, type TableOutcome } from './table-reconciler.js';

/** Every table reconcile compares, in the order it prints them. */
export const RECONCILED_TABLES = [
  'organizations', 'organization_domains', 'users', 'organization_memberships', 'connections',
  'directories', 'directory_users', 'directory_groups', 'directory_group_memberships',
] as const satisfies readonly MirrorTableName[];

export interface ReconcileOptions {
  readonly api: WorkOSApi;
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Make every differing row equal to WorkOS's object (`changed_by = 'reconcile'`). */
  readonly fix: boolean;
  /** Retries of each listing request; its `signal` also stops the run. */
  readonly retry: Omit<RetryOptions, 'what'>;
  /** How many field differences the report keeps (all are counted); default 50. */
  readonly shown?: number;
  readonly now?: () => number;
}

export interface ReconcileReport {
  readonly tables: readonly TableOutcome[];
  /** The first differences found, in table order. */
  readonly shown: readonly FieldDifference[];
  /** Field differences found in all. */
  readonly fields: number;
  /** Rows that differ, over every table. */
  readonly differing: number;
  /** Differing rows left as they were: all of them without `fix`; with it, rows an event changed first. */
  readonly unfixed: number;
}

/** A key that may not read an API (403), or an API the account does not have (404): skip, say why. */
function unavailable(err: unknown): string | undefined {
  return isWesError(err) && (err.httpStatus === 403 || err.httpStatus === 404) ? err.message : undefined;
}

/**
 * WorkOS's recommended reconciliation: lists WorkOS's current state page by page and compares
 * every page with the mirror's rows of the same ids as it comes (field by field, see
 * compareRow), then finds the live rows WorkOS no longer lists. Memory holds one page, the ids
 * seen in the table being walked and the parents' ids (organizations, directories, a
 * directory's groups). Organization domains come inside each organization; memberships per
 * organization; directory users and groups per directory; group memberships as the users of
 * each group, the access pattern WorkOS recommends now that a user's `groups` is deprecated.
 */
export async function reconcileMirror(options: ReconcileOptions): Promise<ReconcileReport> {
  const now = options.now ?? Date.now;
  const { rows } = await options.pool.query<{ now: Date }>('select now()');
  const differences = new DifferenceList(options.shown ?? 50);
  const context = { pool: options.pool, schema: options.schema, fix: options.fix, startedAt: rows[0]!.now.toISOString(), differences };
  const tables = new Map(RECONCILED_TABLES.map((table) => [table, new TableReconciler(table, context)]));
  const of = (table: MirrorTableName): TableReconciler => tables.get(table)!;

  /** Walks one listing, a page at a time; a refused listing skips the tables it feeds. */
  const walk = async (path: string, query: ApiQuery, feeds: readonly TableReconciler[], onPage: (objects: readonly WorkOSObject[], listedAt: string) => Promise<void>): Promise<void> => {
    if (feeds.some((t) => t.skipped)) return;
    try {
      for await (const { objects, listedAt } of listPages(options.api, path, query, options.retry, now)) await onPage(objects, listedAt);
    } catch (err) {
      const reason = unavailable(err);
      if (reason === undefined) throw err;
      for (const t of feeds) t.skip(reason);
    }
  };
  const into = (table: MirrorTableName) => (objects: readonly WorkOSObject[], listedAt: string) => of(table).comparePage(objects, listedAt);

  const organizationIds: string[] = [];
  await walk('/organizations', {}, [of('organizations'), of('organization_domains')], async (organizations, listedAt) => {
    organizationIds.push(...organizations.map((o) => o.id));
    await of('organizations').comparePage(organizations, listedAt);
    await of('organization_domains').comparePage(organizations.flatMap((o) => (Array.isArray(o['domains']) ? (o['domains'] as WorkOSObject[]) : [])), listedAt);
  });
  if (of('organizations').skipped) of('organization_memberships').skip('organizations could not be listed');
  await walk('/user_management/users', {}, [of('users')], into('users'));
  for (const id of organizationIds) await walk('/user_management/organization_memberships', { organization_id: id }, [of('organization_memberships')], into('organization_memberships'));
  await walk('/connections', {}, [of('connections')], into('connections'));

  const directoryIds: string[] = [];
  await walk('/directories', {}, [of('directories')], async (directories, listedAt) => {
    directoryIds.push(...directories.map((d) => d.id));
    await of('directories').comparePage(directories, listedAt);
  });
  if (of('directories').skipped) for (const t of ['directory_users', 'directory_groups', 'directory_group_memberships'] as const) of(t).skip('directories could not be listed');
  for (const directory of directoryIds) {
    await walk('/directory_users', { directory }, [of('directory_users')], into('directory_users'));
    const groups: WorkOSObject[] = [];
    await walk('/directory_groups', { directory }, [of('directory_groups')], async (page, listedAt) => {
      groups.push(...page);
      await of('directory_groups').comparePage(page, listedAt);
    });
    if (of('directory_groups').skipped) of('directory_group_memberships').skip('directory groups could not be listed');
    for (const group of groups) {
      await walk('/directory_users', { group: group.id }, [of('directory_group_memberships')], (users, listedAt) =>
        // A membership as the events carry it: { directory_id, user, group }.
        of('directory_group_memberships').comparePage(users.map((user) => {
          const { groups: _groups, ...bare } = user;
          return { directory_id: group['directory_id'] ?? directory, user: bare, group };
        }), listedAt));
    }
  }

  const outcomes: TableOutcome[] = [];
  for (const table of RECONCILED_TABLES) outcomes.push(await of(table).finish(now));
  const differing = outcomes.reduce((sum, t) => sum + t.differing, 0);
  const fixed = outcomes.reduce((sum, t) => sum + t.fixed, 0);
  const order = (d: FieldDifference) => RECONCILED_TABLES.indexOf(d.table as (typeof RECONCILED_TABLES)[number]);
  const shown = [...differences.shown].sort((a, b) => order(a) - order(b));
  return { tables: outcomes, shown, fields: differences.total, differing, unfixed: differing - fixed };
}
