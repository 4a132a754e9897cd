import type { ClientBase } from 'pg';
import type { MirrorNames } from './mirror-names.js';
import type { MirrorRow } from './mirror-row.js';
import type { MirrorTable } from './mirror-table-definitions.js';

/** Postgres allows 65535 bind parameters per statement. */
const MAX_PARAMETERS = 65_535;

/** Columns after the table's own, in insert order; `synced_at` takes its default. */
const TAIL_COLUMNS = ['raw', 'created_at', 'updated_at', 'deleted_at', 'last_event_id', 'last_event_at', 'changed_by'] as const;
const TAIL_CASTS = ['::jsonb', '::timestamptz', '::timestamptz', '::timestamptz', '::text', '::timestamptz', '::text'];
/** Values that steer the statement without being stored: the inherit bits, and (forced writes) the row as it was read. */
const STEERING = ['inherit', 'expected'] as const;
const STEERING_CASTS = ['::int', '::text'];

/** The version tuple of a row, as SQL; ids compare byte-wise whatever the database's collation. */
const version = (alias: string): string =>
  `(${alias}.updated_at, ${alias}.last_event_at, coalesce(${alias}.last_event_id, '') collate "C")`;

/** Where the change that last wrote a row stands in the stream: (created_at, id) of its event. */
export const eventOrder = (alias: string): string =>
  `(${alias}.last_event_at, coalesce(${alias}.last_event_id, '') collate "C")`;

/**
 * How a write decides whether it changes an existing row:
 * - `newer` (events): only a greater version changes the row;
 * - `forced` (`reconcile --fix`): the row changes whatever its version, provided it is still as
 *   reconcile read it (`expected`, its xmin), so that an event written since is never undone.
 *   A row reconcile found absent (`expected` null) that an event wrote meanwhile follows `newer`.
 */
export type WriteRule = 'newer' | 'forced';

/**
 * `with v as (values (...), (...)) insert ... select from v ... on conflict (id) do update ... where <rule>`.
 * - Under `newer`, a replay, a stale update or an update older than a tombstone leaves the row as it is.
 * - A change sets every column and `raw`; an upsert clears deleted_at. What the change's
 *   `inherit` bits name (a delete's missing fields, a missing created_at) keeps the row's value;
 *   the bits are read from `v` because `excluded` only has the table's columns.
 * - Under `newer`, a row of a child table (directory users, groups, group memberships) whose change came before
 *   a parent's deletion is stored deleted, at the earliest such parent's deleted_at: the same
 *   outcome as the cascade that deletion ran, whichever arrived first. A forced write stores
 *   what WorkOS has, whatever the parents' rows say.
 */
export function upsertStatement(names: MirrorNames, table: MirrorTable, rows: number, rule: WriteRule = 'newer'): string {
  const own = table.columns.map((c) => c.name);
  const stored = ['id', ...own, ...TAIL_COLUMNS];
  const columns = [...stored, ...STEERING];
  const casts = ['::text', ...table.columns.map((c) => (c.type === 'boolean' ? '::boolean' : '::text')), ...TAIL_CASTS, ...STEERING_CASTS];
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const base = r * casts.length;
    tuples.push(`(${casts.map((cast, i) => `$${base + i + 1}${cast}`).join(', ')})`);
  }
  const parents = rule === 'newer' ? table.parents : [];
  const joins = parents.map((p, i) =>
    `left join ${names.table(p.table)} p${i} on p${i}.id = v.${p.column} and p${i}.deleted_at is not null and ${eventOrder(`p${i}`)} > ${eventOrder('v')}`);
  const deletedAt = parents.length > 0 ? `least(v.deleted_at, ${parents.map((_, i) => `p${i}.deleted_at`).join(', ')})` : 'v.deleted_at';
  const steering = (name: (typeof STEERING)[number]) => `(select s.${name} from v s where s.id = excluded.id)`;
  const kept = (column: string, bit: number) =>
    `${column} = case when ${steering('inherit')} & ${2 ** bit} <> 0 then t.${column} else excluded.${column} end`;
  const sets = [
    ...own.map((c, i) => kept(c, i)),
    'raw = excluded.raw',
    kept('created_at', own.length),
    ...['updated_at', 'deleted_at', 'last_event_id', 'last_event_at', 'changed_by'].map((c) => `${c} = excluded.${c}`),
    'synced_at = now()',
  ];
  const when = rule === 'newer'
    ? `${version('excluded')} > ${version('t')}`
    : `coalesce(t.xmin::text = ${steering('expected')}, ${version('excluded')} > ${version('t')})`;
  return `with v (${columns.join(', ')}) as (values ${tuples.join(', ')})
    insert into ${names.table(table.name)} as t (${stored.join(', ')})
    select ${stored.map((c) => (c === 'deleted_at' ? deletedAt : `v.${c}`)).join(', ')}
    from v ${joins.join(' ')}
    on conflict (id) do update set ${sets.join(', ')}
    where ${when}`;
}

function rowParameters(row: MirrorRow, expected: string | null): unknown[] {
  return [row.id, ...row.values, row.raw, row.createdAt, row.updatedAt, row.deletedAt, row.lastEventId, row.lastEventAt, row.changedBy, row.inherit, expected];
}

/** Rows per statement that keep the bind parameters under Postgres's limit. */
export function rowsPerStatement(table: MirrorTable): number {
  return Math.floor(MAX_PARAMETERS / (1 + table.columns.length + TAIL_COLUMNS.length + STEERING.length));
}

/**
 * Writes rows of one table (at most one per id) with as few statements as the parameter limit
 * allows: one for any WorkOS page. Runs on the caller's connection, inside its transaction.
 * `expected` (forced writes): the xmin each id's row had when read, absent for rows not found.
 * Returns how many rows were inserted or changed.
 */
export async function upsertMirrorRows(
  client: ClientBase,
  names: MirrorNames,
  table: MirrorTable,
  rows: readonly MirrorRow[],
  rule: WriteRule = 'newer',
  expected: ReadonlyMap<string, string> = new Map(),
): Promise<number> {
  const chunk = rowsPerStatement(table);
  let changed = 0;
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const result = await client.query(upsertStatement(names, table, part.length, rule), part.flatMap((row) => rowParameters(row, expected.get(row.id) ?? null)));
    changed += result.rowCount ?? 0;
  }
  return changed;
}
