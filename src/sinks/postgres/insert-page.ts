import { createHash } from 'node:crypto';
import type { Pool, QueryConfig } from 'pg';
import type { EventRow } from './event-row.js';

/**
 * `insert ... select * from unnest($1::text[], ...) on conflict (id) do nothing`: the page travels
 * as five arrays, one per column, whatever its size. Against a `values` list of 5 parameters per
 * row this keeps one statement text for every page (so it is prepared once per connection and
 * its plan reused), binds 5 parameters instead of 500, and needs no chunking under Postgres's
 * 65535-parameter limit (bench/README.md: about 10% more events/s on loopback).
 */
export function insertStatement(eventsTable: string): string {
  return (
    `insert into ${eventsTable} (id, event_type, organization_id, created_at, payload) ` +
    'select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) on conflict (id) do nothing'
  );
}

/** Prepared statement names are per connection and must not collide across tables (at most 63 bytes). */
function statementName(text: string): string {
  return `wes_insert_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
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
  const query: QueryConfig = { name: statementName(text), text, values: columns };
  const result = await pool.query(query);
  return result.rowCount ?? 0;
}
