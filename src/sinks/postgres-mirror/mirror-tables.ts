import type pg from 'pg';
import { mirrorNames } from './mirror-names.js';
import { isoTime, mirrorRow, newestPerId } from './mirror-row.js';
import { mirrorTable, type WorkOSObject } from './mirror-table-definitions.js';
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

/** What reconcile compares: "live" means `deletedAt === null`. Times are ISO-8601 UTC with ms (`Date#toISOString`). */
export interface MirrorRowState {
  readonly id: string;
  readonly updatedAt: string;
  readonly deletedAt: string | null;
  /** The object as last stored: an event's data, or the object a fix wrote. */
  readonly raw: WorkOSObject;
}

/** What a fix changed; ids left out were newer in the mirror (upserts) or already tombstoned. */
export interface ReconcileFixResult {
  readonly upserted: number;
  readonly tombstoned: number;
}

type Client = pg.Pool | pg.PoolClient;

const isPoolClient = (client: Client): client is pg.PoolClient => typeof (client as pg.PoolClient).release === 'function';

/** Every row of one mirror table, tombstones included, ordered by id. */
export async function readMirrorRows(client: Client, schema: string, table: string): Promise<MirrorRowState[]> {
  const qualified = mirrorNames(schema).table(mirrorTable(table).name);
  const { rows } = await client.query<{ id: string; updated_at: Date; deleted_at: Date | null; raw: WorkOSObject }>(
    `select id, updated_at, deleted_at, raw from ${qualified} order by id collate "C"`,
  );
  return rows.map((r) => ({ id: r.id, updatedAt: r.updated_at.toISOString(), deletedAt: r.deleted_at?.toISOString() ?? null, raw: r.raw }));
}

/**
 * Writes what reconcile found, with `changed_by = 'reconcile'`, `last_event_id = null` and
 * `last_event_at = nowIso`:
 * - `upserts` (missing or stale rows): WorkOS's objects, mapped to columns exactly as events
 *   are, `updated_at` from the object (for group memberships, which have none: `nowIso`), live
 *   again. The version rule still applies, with the fix's time as the event time: the fix wins
 *   over any row whose updated_at is not newer than the object's, so a row an event moved past
 *   the listing while reconcile ran is left alone.
 * - `tombstones` (ids live in the mirror but absent from WorkOS): `deleted_at = nowIso`, every
 *   other column kept. A later event with a newer updated_at brings the row back, as it should.
 * With a `pg.Pool` both run in one transaction; with a `pg.PoolClient` they run on it, inside
 * whatever transaction the caller holds. Throws for an object without an id or with a bad time.
 */
export async function applyReconcileFix(
  client: Client,
  schema: string,
  table: string,
  fix: { upserts: readonly WorkOSObject[]; tombstones: readonly string[] },
  nowIso: string,
): Promise<ReconcileFixResult> {
  const definition = mirrorTable(table);
  const names = mirrorNames(schema);
  const qualified = names.table(definition.name);
  const now = isoTime(nowIso, 'nowIso');
  if (now === undefined) throw new Error('nowIso is required');
  const rows = newestPerId(fix.upserts.map((object, i) =>
    mirrorRow(definition, object, { action: 'upsert', eventId: null, at: now, changedBy: 'reconcile' }, `reconcile object ${i} of ${definition.name}`)));
  const ids = [...new Set(fix.tombstones)];
  const run = async (c: pg.PoolClient): Promise<ReconcileFixResult> => {
    const upserted = rows.length > 0 ? await upsertMirrorRows(c, names, definition, rows) : 0;
    // `last_event_at < now` keeps the version rising: (updated_at, now, '') beats the row's.
    const tombstoned = ids.length === 0 ? 0 : (await c.query(
      `update ${qualified} set deleted_at = $2, last_event_id = null, last_event_at = $2, changed_by = 'reconcile', synced_at = now()
       where id = any($1::text[]) and deleted_at is null and last_event_at < $2`,
      [ids, now],
    )).rowCount ?? 0;
    return { upserted, tombstoned };
  };
  return isPoolClient(client) ? run(client) : withTransaction(client, run);
}
