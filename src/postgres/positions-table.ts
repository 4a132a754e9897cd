import type { ClientBase, Pool, QueryConfig } from 'pg';
import { WesError } from '../errors.js';
import type { SinkCommit, SinkPosition } from '../sinks/sink.js';
import { sqlState } from './classify-postgres-error.js';

/** Where a Postgres sink keeps its position: the table (quoted) and the row's key, the sink's name. */
export interface PositionsRow {
  readonly table: string;
  readonly sink: string;
}

/** A page's position move, written in the same transaction as the page's rows. */
export interface PositionMove extends PositionsRow {
  readonly commit: SinkCommit;
}

/**
 * The positions table, for the migrations of both Postgres sinks. One row per sink name.
 * `event_id` and `event_created_at` hold the position exactly as the pipeline gave it (text, not
 * timestamptz: WorkOS's older `2023-04-28 20:05:31.093` form must read back as sent, and the
 * compare-and-set compares what was written); `event_id` is null for a start time. `filter` is
 * `{"events": [...], "organizationId": ...}`, or null for a position set by hand (matching any
 * filter). `lease_token` and `committed_at` are for people reading it.
 */
export function positionsTableDefinition(table: string): string {
  return `create table if not exists ${table} (
    sink text primary key,
    event_id text,
    event_created_at text,
    filter jsonb,
    lease_token text,
    committed_at timestamptz not null default now()
  )`;
}

function filterJson(position: SinkPosition | null): string | null {
  const filter = position?.filter;
  // Spelled out rather than JSON.stringify(filter): only these two keys, whatever else the object holds.
  return filter ? JSON.stringify({ events: [...filter.events], organizationId: filter.organizationId }) : null;
}

type Filter = NonNullable<SinkPosition['filter']>;

function isFilter(value: unknown): value is Filter {
  const f = value as { events?: unknown; organizationId?: unknown } | null;
  return typeof f === 'object' && f !== null && Array.isArray(f.events) && f.events.every((e) => typeof e === 'string') &&
    (f.organizationId === null || typeof f.organizationId === 'string');
}

interface StoredRow {
  event_id: string | null;
  event_created_at: string | null;
  filter: unknown;
}

/** SQLSTATEs of a table (42P01) or schema (3F000) that does not exist: nothing was ever stored there. */
const MISSING = new Set(['42P01', '3F000']);

/**
 * The stored position, or null when there is none, including when the table does not exist yet:
 * reading never creates anything (`cursor show` and `check` read before any migration), and an
 * older release's table gets its positions table on the next open.
 */
export async function readPosition(db: Pool | ClientBase, row: PositionsRow): Promise<SinkPosition | null> {
  let rows: StoredRow[];
  try {
    ({ rows } = await db.query<StoredRow>(`select event_id, event_created_at, filter from ${row.table} where sink = $1`, [row.sink]));
  } catch (err) {
    if (MISSING.has(sqlState(err) ?? '')) return null;
    throw err;
  }
  const stored = rows[0];
  if (!stored) return null;
  if (stored.filter !== null && !isFilter(stored.filter)) {
    // Refused rather than read as "no filter": that would let a changed filter through silently.
    throw new WesError('WES_ERR_CURSOR_CORRUPT', `the position of sink "${row.sink}" in ${row.table} has a filter this daemon did not write: ${JSON.stringify(stored.filter)}`);
  }
  return { id: stored.event_id, createdAt: stored.event_created_at, ...(stored.filter ? { filter: stored.filter } : {}) };
}

/** Moves the position by hand (no compare: `cursor set`, `--from`, a pinned start); null forgets it. */
export async function writePosition(db: Pool | ClientBase, row: PositionsRow, position: SinkPosition | null): Promise<void> {
  if (position === null) {
    await db.query(`delete from ${row.table} where sink = $1`, [row.sink]);
    return;
  }
  await db.query(
    `insert into ${row.table} (sink, event_id, event_created_at, filter, lease_token, committed_at) values ($1, $2, $3, $4::jsonb, null, now())
     on conflict (sink) do update set event_id = excluded.event_id, event_created_at = excluded.event_created_at,
       filter = excluded.filter, lease_token = null, committed_at = now()`,
    [row.sink, position.id, position.createdAt, filterJson(position)],
  );
}

/**
 * The compare-and-set of a page's position as one statement returning the sink's name when it
 * applied, and nothing when the stored position stands elsewhere. Its parameters are numbered from
 * `first`, so that it can be a `with` part of a larger statement (see insertPage).
 * - Something stored: an UPDATE whose WHERE is the expected position. A concurrent writer waits
 *   for this row's lock, then re-checks the WHERE on the committed row, finds it moved and
 *   updates nothing.
 * - Nothing stored (`expected` null): an INSERT ... ON CONFLICT DO NOTHING, so of two first
 *   writers the second waits for the first and inserts nothing.
 * Positions compare exactly: id, created_at and filter (jsonb equality), null matching only null.
 */
export function positionMoveStatement(move: PositionMove, first: number): QueryConfig {
  const { commit } = move;
  const p = (i: number): string => `$${first + i}`;
  const values: unknown[] = [move.sink, commit.position.id, commit.position.createdAt, filterJson(commit.position), commit.token ?? null];
  if (commit.expected === null) {
    return {
      text: `insert into ${move.table} (sink, event_id, event_created_at, filter, lease_token) values (${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}::jsonb, ${p(4)})
        on conflict (sink) do nothing returning sink`,
      values,
    };
  }
  values.push(commit.expected.id, commit.expected.createdAt, filterJson(commit.expected));
  return {
    text: `update ${move.table} set event_id = ${p(1)}, event_created_at = ${p(2)}, filter = ${p(3)}::jsonb, lease_token = ${p(4)}, committed_at = now()
      where sink = ${p(0)} and event_id is not distinct from ${p(5)} and event_created_at is not distinct from ${p(6)} and filter is not distinct from ${p(7)}::jsonb
      returning sink`,
    values,
  };
}

/** What a writer that lost the compare-and-set throws: the pipeline stops and reads the position again. */
export function positionMovedError(move: PositionMove): WesError {
  const expected = move.commit.expected;
  return new WesError(
    'WES_ERR_LEASE_LOST',
    `sink "${move.sink}": the position stored in ${move.table} is no longer ${expected ? `after ${expected.id ?? `the start time ${expected.createdAt}`}` : 'unset'} (another writer moved it first); this page was not written`,
  );
}

/** Moves the position inside the caller's transaction, or throws positionMovedError. */
export async function movePosition(client: ClientBase, move: PositionMove): Promise<void> {
  const result = await client.query(positionMoveStatement(move, 1));
  if (result.rowCount !== 1) throw positionMovedError(move);
}
