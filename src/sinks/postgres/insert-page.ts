import type { Pool } from 'pg';
import { EVENT_ROW_PARAMETERS, type EventRow } from './event-row.js';
import { withTransaction } from '../../postgres/with-transaction.js';

/**
 * Rows per INSERT statement. Postgres allows 65535 bind parameters per statement (13107 rows of
 * 5); a WorkOS page holds at most 100 events, so one statement per page is the normal case and
 * the chunking only keeps larger callers within the limit.
 */
export const MAX_ROWS_PER_STATEMENT = 1000;

/** `insert ... values ($1,...,$5::jsonb), (...) on conflict (id) do nothing` for `rows` rows. */
export function insertStatement(eventsTable: string, rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const p = r * EVENT_ROW_PARAMETERS;
    tuples.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}::timestamptz, $${p + 5}::jsonb)`);
  }
  return `insert into ${eventsTable} (id, event_type, organization_id, created_at, payload) values ${tuples.join(', ')} on conflict (id) do nothing`;
}

/**
 * Inserts a page in one transaction: either every row is stored (or was already there) or none
 * is. `on conflict (id) do nothing` makes a replay of a page, whole or in part, add nothing and
 * keep the first copy (and its received_at). Resolves after COMMIT returns, i.e. once Postgres
 * has made the page durable. Returns how many rows were new.
 */
export function insertPage(pool: Pool, eventsTable: string, rows: readonly EventRow[], maxRowsPerStatement = MAX_ROWS_PER_STATEMENT): Promise<number> {
  return withTransaction(pool, async (client) => {
    let inserted = 0;
    for (let start = 0; start < rows.length; start += maxRowsPerStatement) {
      const chunk = rows.slice(start, start + maxRowsPerStatement);
      const result = await client.query(insertStatement(eventsTable, chunk.length), chunk.flat());
      inserted += result.rowCount ?? 0;
    }
    return inserted;
  });
}
