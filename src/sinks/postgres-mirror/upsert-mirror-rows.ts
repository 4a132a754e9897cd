import type { ClientBase } from 'pg';
import type { MirrorNames } from './mirror-names.js';
import type { MirrorRow } from './mirror-row.js';
import type { MirrorTable } from './mirror-table-definitions.js';

/** Postgres allows 65535 bind parameters per statement. */
const MAX_PARAMETERS = 65_535;

/** Columns after the table's own, in insert order; `synced_at` takes its default. */
const TAIL_COLUMNS = ['raw', 'created_at', 'updated_at', 'deleted_at', 'last_event_id', 'last_event_at', 'changed_by'] as const;
const TAIL_CASTS = ['::jsonb', '::timestamptz', '::timestamptz', '::timestamptz', '::text', '::timestamptz', '::text'];

/** The version tuple of a row, as SQL; ids compare byte-wise whatever the database's collation. */
const version = (alias: string): string =>
  `(${alias}.updated_at, ${alias}.last_event_at, coalesce(${alias}.last_event_id, '') collate "C")`;

/** Where the change that last wrote a row stands in the stream: (created_at, id) of its event. */
export const eventOrder = (alias: string): string =>
  `(${alias}.last_event_at, coalesce(${alias}.last_event_id, '') collate "C")`;

/**
 * `insert ... select from (values (...), (...)) on conflict (id) do update ... where <newer>`.
 * - Only a row with a greater version changes anything, so a replay, a stale update or an update
 *   older than a tombstone leaves the row as it is.
 * - An upsert sets every column and clears deleted_at; a delete keeps a column its data lacks
 *   instead of blanking it.
 * - A row of a child table (directory users, groups, group memberships) whose change came before
 *   a parent's deletion is stored deleted, at the earliest such parent's deleted_at: the same
 *   outcome as the cascade that deletion ran, whichever arrived first.
 */
export function upsertStatement(names: MirrorNames, table: MirrorTable, rows: number): string {
  const own = table.columns.map((c) => c.name);
  const columns = ['id', ...own, ...TAIL_COLUMNS];
  const casts = ['::text', ...table.columns.map((c) => (c.type === 'boolean' ? '::boolean' : '::text')), ...TAIL_CASTS];
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const base = r * casts.length;
    tuples.push(`(${casts.map((cast, i) => `$${base + i + 1}${cast}`).join(', ')})`);
  }
  const joins = table.parents.map((p, i) =>
    `left join ${names.table(p.table)} p${i} on p${i}.id = v.${p.column} and p${i}.deleted_at is not null and ${eventOrder(`p${i}`)} > ${eventOrder('v')}`);
  const deletedAt = table.parents.length > 0 ? `least(v.deleted_at, ${table.parents.map((_, i) => `p${i}.deleted_at`).join(', ')})` : 'v.deleted_at';
  const sets = [
    ...own.map((c) => `${c} = case when excluded.deleted_at is null then excluded.${c} else coalesce(excluded.${c}, t.${c}) end`),
    'raw = excluded.raw',
    'created_at = coalesce(excluded.created_at, t.created_at)',
    ...['updated_at', 'deleted_at', 'last_event_id', 'last_event_at', 'changed_by'].map((c) => `${c} = excluded.${c}`),
    'synced_at = now()',
  ];
  return `insert into ${names.table(table.name)} as t (${columns.join(', ')})
    select ${columns.map((c) => (c === 'deleted_at' ? deletedAt : `v.${c}`)).join(', ')}
    from (values ${tuples.join(', ')}) as v (${columns.join(', ')}) ${joins.join(' ')}
    on conflict (id) do update set ${sets.join(', ')}
    where ${version('excluded')} > ${version('t')}`;
}

function rowParameters(row: MirrorRow): unknown[] {
  return [row.id, ...row.values, row.raw, row.createdAt, row.updatedAt, row.deletedAt, row.lastEventId, row.lastEventAt, row.changedBy];
}

/** Rows per statement that keep the bind parameters under Postgres's limit. */
export function rowsPerStatement(table: MirrorTable): number {
  return Math.floor(MAX_PARAMETERS / (1 + table.columns.length + TAIL_COLUMNS.length));
}

/**
 * Writes rows of one table (at most one per id) with as few statements as the parameter limit
 * allows: one for any WorkOS page. Runs on the caller's connection, inside its transaction.
 * Returns how many rows were inserted or changed.
 */
export async function upsertMirrorRows(client: ClientBase, names: MirrorNames, table: MirrorTable, rows: readonly MirrorRow[]): Promise<number> {
  const chunk = rowsPerStatement(table);
  let changed = 0;
  for (let start = 0; start < rows.length; start += chunk) {
    const part = rows.slice(start, start + chunk);
    const result = await client.query(upsertStatement(names, table, part.length), part.flatMap(rowParameters));
    changed += result.rowCount ?? 0;
  }
  return changed;
}
