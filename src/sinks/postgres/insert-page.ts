import type { Pool, QueryConfig } from 'pg';
import type { EventRow } from './event-row.js';

/**
 * `insert ... select * from unnest($1::text[], ...) on conflict (id) do nothing`: the page travels
 * as five arrays, one per column, whatever its size. Against a `values` list of 5 parameters per
 * row this binds 5 parameters instead of 500, parses the same short text for every page, and
 * needs no chunking under Postgres's 65535-parameter limit (bench/README.md: about 10% more
 * events/s on loopback). The statement is deliberately not a named prepared statement: those
 * break behind PgBouncer in transaction mode (before 1.21), for about 5% here.
 */
export function insertStatement(eventsTable: string): string {
  return (
    `insert into ${eventsTable} (id, event_type, organization_id, created_at, payload) ` +
    'select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) on conflict (id) do nothing'
  );
}

/**
 * Inserts a page with one statement, which Postgres runs as one transaction of its own: either
 * every row is stored (or was already there) or none is, and the answer comes back only after
 * the commit, once Postgres has made the page durable. No BEGIN/COMMIT around it: that would
 * cost two more round trips per page for nothing. `on conflict (id) do nothing` makes a replay
 * of a page, whole or in part, add nothing and keep the first copy (and its received_at).
 * Returns how many rows were new.
 */
export async function insertPage(pool: Pool, eventsTable: string, rows: readonly EventRow[]): Promise<number> {
  const text = insertStatement(eventsTable);
  const columns = [0, 1, 2, 3, 4].map((column) => rows.map((row) => row[column]));
  const query: QueryConfig = { text, values: columns };
  const result = await pool.query(query);
  return result.rowCount ?? 0;
}
