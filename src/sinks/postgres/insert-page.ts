import type { Pool, QueryConfig } from 'pg';
import { positionMovedError, positionMoveStatement, type PositionMove } from '../../postgres/positions-table.js';
import type { EventRow } from './event-row.js';

const COLUMNS = 'id, event_type, organization_id, created_at, payload';
const UNNEST = 'select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])';

/**
 * `insert ... select * from unnest($1::text[], ...) on conflict (id) do nothing`: the page travels
 * as five arrays, one per column, whatever its size. Against a `values` list of 5 parameters per
 * row this binds 5 parameters instead of 500, parses the same short text for every page, and
 * needs no chunking under Postgres's 65535-parameter limit (bench/README.md: about 10% more
 * events/s on loopback). The statement is deliberately not a named prepared statement: those
 * break behind PgBouncer in transaction mode (before 1.21), for about 5% here.
 */
export function insertStatement(eventsTable: string): string {
  return `insert into ${eventsTable} (${COLUMNS}) ${UNNEST} on conflict (id) do nothing`;
}

/**
 * The same insert with the position's compare-and-set as a `with` part (parameters from $6): the
 * rows go in only if the position moved, and both are one statement, so one transaction, still
 * in one round trip. A data-modifying `with` part runs to completion exactly once, and `moved`'s
 * RETURNING is how the insert learns whether it did (Postgres documents both).
 */
export function insertAndMoveStatement(eventsTable: string, move: PositionMove): QueryConfig {
  const moveStatement = positionMoveStatement(move, 6);
  return {
    text: `with moved as (${moveStatement.text}),
      added as (insert into ${eventsTable} (${COLUMNS}) ${UNNEST} where exists (select 1 from moved) on conflict (id) do nothing returning 1)
      select (select count(*) from moved)::int as moved, (select count(*) from added)::int as inserted`,
    values: moveStatement.values ?? [],
  };
}

/**
 * Inserts a page with one statement, which Postgres runs as one transaction of its own: either
 * every row is stored (or was already there) or none is, and the answer comes back only after
 * the commit, once Postgres has made the page durable. No BEGIN/COMMIT around it: that would
 * cost two more round trips per page for nothing. `on conflict (id) do nothing` makes a replay
 * of a page, whole or in part, add nothing and keep the first copy (and its received_at).
 * With `move`, the sink's position moves in that same statement, or nothing is written and it
 * throws WES_ERR_LEASE_LOST (see insertAndMoveStatement). Returns how many rows were new.
 */
export async function insertPage(pool: Pool, eventsTable: string, rows: readonly EventRow[], move?: PositionMove): Promise<number> {
  const columns = [0, 1, 2, 3, 4].map((column) => rows.map((row) => row[column]));
  if (!move) {
    const query: QueryConfig = { text: insertStatement(eventsTable), values: columns };
    const result = await pool.query(query);
    return result.rowCount ?? 0;
  }
  const statement = insertAndMoveStatement(eventsTable, move);
  const result = await pool.query<{ moved: number; inserted: number }>({ text: statement.text, values: [...columns, ...(statement.values ?? [])] });
  const counts = result.rows[0];
  if (counts?.moved !== 1) throw positionMovedError(move);
  return counts.inserted;
}
