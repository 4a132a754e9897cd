import type pg from 'pg';
import { mirrorNames } from './mirror-names.js';
import { isoTime, mirrorRow } from './mirror-row.js';
import { mirrorTable, type MirrorColumnValue, type WorkOSObject } from './mirror-table-definitions.js';
import { upsertMirrorRows } from './upsert-mirror-rows.js';
import { withTransaction } from '../../postgres/with-transaction.js';

// The read and fix API of the mirror, for `workos-events-sync reconcile`.
export {
  MIRROR_COMMON_COLUMNS,
  MIRROR_TABLES,
  mirrorTable,
  type MirrorColumn,
  type MirrorColumnValue,
  type MirrorTable,
  type MirrorTableName,
  type WorkOSObject,
} from './mirror-table-definitions.js';

/** A mirror row as reconcile compares it. Times are ISO-8601 UTC with ms (`Date#toISOString`). */
export interface MirrorRowState {
  readonly id: string;
  /** The row's version as Postgres keeps it (`xmin`): a fix changes the row only if it is still this. */
  readonly xmin: string;
  /** The table's own columns, by name. */
  readonly columns: Readonly<Record<string, MirrorColumnValue>>;
  /** The object as last stored: an event's data, or the object a fix wrote. */
  readonly raw: WorkOSObject;
  readonly createdAt: string | null;
  readonly updatedAt: string;
  readonly deletedAt: string | null;
  readonly changedBy: 'event' | 'reconcile';
  /** When the row last changed, by the database's clock. */
  readonly syncedAt: string;
}

/** A row reconcile read, to fix only if it is still as read. */
export interface ReadRow {
  readonly id: string;
  readonly xmin: string;
}

/** What a fix changed; a row left out had changed since reconcile read it (an event wrote it meanwhile). */
export interface ReconcileFixResult {
  readonly upserted: number;
  readonly tombstoned: number;
}

type Client = pg.Pool | pg.PoolClient;

const isPoolClient = (client: Client): client is pg.PoolClient => typeof (client as pg.PoolClient).release === 'function';

function selectRows(table: string, schema: string, where: string): string {
  const definition = mirrorTable(table);
  const own = definition.columns.map((c) => c.name).join(', ');
  return `select id, xmin::text as xmin, ${own}, raw, created_at, updated_at, deleted_at, changed_by, synced_at
    from ${mirrorNames(schema).table(definition.name)} where ${where} order by id collate "C"`;
}

function rowState(table: string, r: Record<string, unknown>): MirrorRowState {
  const iso = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : null);
  return {
    id: r['id'] as string,
    xmin: r['xmin'] as string,
    columns: Object.fromEntries(mirrorTable(table).columns.map((c) => [c.name, r[c.name] as MirrorColumnValue])),
    raw: r['raw'] as WorkOSObject,
    createdAt: iso(r['created_at']),
    updatedAt: iso(r['updated_at'])!,
    deletedAt: iso(r['deleted_at']),
    changedBy: r['changed_by'] as 'event' | 'reconcile',
    syncedAt: iso(r['synced_at'])!,
  };
}

/** The rows of these ids (tombstones included), ordered by id; ids without a row are left out. */
export async function readMirrorRowsById(client: Client, schema: string, table: string, ids: readonly string[]): Promise<MirrorRowState[]> {
  if (ids.length === 0) return [];
  const { rows } = await client.query<Record<string, unknown>>(selectRows(table, schema, 'id = any($1::text[])'), [ids]);
  return rows.map((r) => rowState(table, r));
}

/**
 * Up to `limit` live rows with an id after `after` (byte order), last changed before `before`:
 * read in turn, they walk a table of any size in bounded memory.
 */
export async function readLiveRowsAfter(client: Client, schema: string, table: string, after: string, before: string, limit: number): Promise<MirrorRowState[]> {
  const { rows } = await client.query<Record<string, unknown>>(
    `${selectRows(table, schema, `deleted_at is null and synced_at < $2 and id collate "C" > $1`)} limit $3`,
    [after, before, limit],
  );
  return rows.map((r) => rowState(table, r));
}

/** Every row of one mirror table, tombstones included, ordered by id (small tables and tests). */
export async function readMirrorRows(client: Client, schema: string, table: string): Promise<MirrorRowState[]> {
  const { rows } = await client.query<Record<string, unknown>>(selectRows(table, schema, 'true'), []);
  return rows.map((r) => rowState(table, r));
}

/**
 * Makes rows equal to what WorkOS has, whatever their version, with `changed_by = 'reconcile'`
 * and `last_event_id = null`, each only if it is still as reconcile read it (`xmin`), so an
 * event written since is never undone (that row is left out of the counts):
 * - `upserts`: WorkOS's objects, mapped to columns exactly as events are, live. `read` holds
 *   the rows found; an object without one is inserted, or, if an event wrote it meanwhile,
 *   written only when newer. Version: the object's updated_at (for group memberships, which
 *   have none: `listedAt`), and `last_event_at = listedAt`, the time WorkOS was listed, so
 *   that an event created after the listing still wins over the fix.
 * - `tombstones` (live in the mirror, gone from WorkOS): `deleted_at = listedAt`, every other column kept.
 * With a `pg.Pool` both run in one transaction; with a `pg.PoolClient` they run on it, inside
 * whatever transaction the caller holds. Throws for an object without an id or with a bad time.
 */
export async function applyReconcileFix(
  client: Client,
  schema: string,
  table: string,
  fix: { upserts: readonly WorkOSObject[]; read: readonly ReadRow[]; tombstones: readonly ReadRow[] },
  listedAt: string,
): Promise<ReconcileFixResult> {
  const definition = mirrorTable(table);
  const names = mirrorNames(schema);
  const at = isoTime(listedAt, 'listedAt');
  if (at === undefined) throw new Error('listedAt is required');
  const rows = [...new Map(fix.upserts.map((object, i) => {
    const row = mirrorRow(definition, object, { action: 'upsert', eventId: null, at, changedBy: 'reconcile' }, `reconcile object ${i} of ${definition.name}`);
    return [row.id, row] as const;
  })).values()];
  const expected = new Map(fix.read.map((r) => [r.id, r.xmin]));
  const run = async (c: pg.PoolClient): Promise<ReconcileFixResult> => {
    const upserted = rows.length > 0 ? await upsertMirrorRows(c, names, definition, rows, 'forced', expected) : 0;
    const tombstoned = fix.tombstones.length === 0 ? 0 : (await c.query(
      `update ${names.table(definition.name)} t set deleted_at = $3, last_event_id = null, last_event_at = $3, changed_by = 'reconcile', synced_at = now()
       from unnest($1::text[], $2::text[]) as r (id, xmin)
       where t.id = r.id and t.xmin::text = r.xmin and t.deleted_at is null`,
      [fix.tombstones.map((r) => r.id), fix.tombstones.map((r) => r.xmin), at],
    )).rowCount ?? 0;
    return { upserted, tombstoned };
  };
  return isPoolClient(client) ? run(client) : withTransaction(client, run);
}
