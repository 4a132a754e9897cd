import { parseEventTime } from '../../workos/event.js';
import type { MirrorColumnValue, MirrorTable, WorkOSObject } from './mirror-table-definitions.js';

/** Why a row last changed: an event of the stream, or `reconcile --fix`. */
export type ChangedBy = 'event' | 'reconcile';

/** What changes the row: an event (its id and created_at), or a reconcile fix (no id, the time of the fix). */
export interface RowChange {
  readonly action: 'upsert' | 'delete';
  readonly eventId: string | null;
  /** ISO time: the event's created_at, or the time of the fix. */
  readonly at: string;
  readonly changedBy: ChangedBy;
}

/** One row to write, every time already normalised to ISO-8601 UTC. */
export interface MirrorRow {
  readonly id: string;
  readonly action: 'upsert' | 'delete';
  /** The table's own columns, in MirrorTable.columns order. */
  readonly values: readonly MirrorColumnValue[];
  /** The object as JSON text. */
  readonly raw: string;
  readonly createdAt: string | null;
  readonly updatedAt: string;
  readonly deletedAt: string | null;
  readonly lastEventId: string | null;
  readonly lastEventAt: string;
  readonly changedBy: ChangedBy;
  /**
   * What the row keeps from its previous state instead of taking from this change: bit i for
   * own column i (a delete whose data lacks the column), bit `columns.length` for created_at
   * (an object without one). 0 for most changes.
   */
  readonly inherit: number;
}

/** An object the mirror cannot store (no id, a time that is not a time): the caller decides how to report it. */
export class MirrorRowError extends Error {
  override readonly name = 'MirrorRowError';
}

/**
 * A time as ISO-8601 UTC, or undefined when absent. Parsed here, not by Postgres, because
 * WorkOS's older `"2023-04-28 20:05:31.093"` form has no zone and means UTC, while Postgres would
 * read it in the session's time zone.
 */
export function isoTime(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = typeof value === 'string' ? parseEventTime(value) : Number.NaN;
  if (Number.isNaN(ms)) throw new MirrorRowError(`${what} is ${JSON.stringify(value)}, which is not a time`);
  return new Date(ms).toISOString();
}

/**
 * The row an object makes in `table`. The version (`updated_at`) follows the spec: the object's
 * updated_at, else its created_at (upserts only), else the change's time; always the change's
 * time for a table without a version of its own (group memberships). A delete keeps the object
 * as `raw` and sets `deleted_at` to the time of the change.
 */
export function mirrorRow(table: MirrorTable, object: WorkOSObject, change: RowChange, what: string): MirrorRow {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) throw new MirrorRowError(`${what} has no object`);
  const id = table.idOf(object);
  if (id === undefined) {
    throw new MirrorRowError(`${what} has no ${table.ownVersion ? 'id' : 'group.id and user.id'}, so it cannot be a row of ${table.name}`);
  }
  const createdAt = isoTime(object['created_at'], `${what}: created_at`) ?? null;
  const ownUpdatedAt = table.ownVersion ? isoTime(object['updated_at'], `${what}: updated_at`) : undefined;
  const fallback = change.action === 'upsert' && table.ownVersion ? createdAt ?? undefined : undefined;
  let inherit = createdAt === null ? 1 << table.columns.length : 0;
  if (change.action === 'delete') {
    table.columns.forEach((c, i) => {
      if (!c.keys.some((key) => key in object)) inherit |= 1 << i;
    });
  }
  return {
    id,
    action: change.action,
    values: table.columns.map((c) => c.from(object)),
    raw: JSON.stringify(object),
    createdAt,
    updatedAt: ownUpdatedAt ?? fallback ?? change.at,
    deletedAt: change.action === 'delete' ? change.at : null,
    lastEventId: change.eventId,
    lastEventAt: change.at,
    changedBy: change.changedBy,
    inherit,
  };
}

/**
 * Orders two rows of one id by version (updated_at, last_event_at, last_event_id), the tuple the
 * SQL compares: a later event wins a tie on updated_at, and the id breaks a tie on both times.
 */
export function compareVersions(a: MirrorRow, b: MirrorRow): number {
  return Date.parse(a.updatedAt) - Date.parse(b.updatedAt)
    || Date.parse(a.lastEventAt) - Date.parse(b.lastEventAt)
    || compareText(a.lastEventId ?? '', b.lastEventId ?? '');
}

/** Byte order: the SQL compares ids with `collate "C"`, whatever the database's collation. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Keeps, per id, the row with the greatest version: one statement may change a row only once
 * (`ON CONFLICT DO UPDATE` refuses a second change), and the lesser versions would lose anyway.
 */
export function newestPerId(rows: readonly MirrorRow[]): MirrorRow[] {
  return planRounds(rows).at(-1) ?? [];
}

/**
 * The rows of one table to write for a page, as rounds of at most one row per id, each round
 * one statement, so that the page ends as its events applied one by one would leave it, for
 * any page size. Per id, the newest change is in the last round. Lesser changes are dropped,
 * since the newest overwrites what they set, except what the newest keeps from the row's
 * previous state (a delete lacking a field, an object without created_at): then the newest
 * earlier change that can give it goes in the round before, and so on. Almost every page needs
 * one round; a page where an object is updated and then deleted without some field needs two.
 */
export function planRounds(rows: readonly MirrorRow[]): MirrorRow[][] {
  const chains = new Map<string, MirrorRow[]>();
  for (const row of rows) {
    const chain = chains.get(row.id);
    if (chain) chain.push(row);
    else chains.set(row.id, [row]);
  }
  const needed: MirrorRow[][] = [];
  for (const chain of chains.values()) {
    chain.sort(compareVersions);
    const kept = [chain.pop()!];
    while (chain.length > 0 && (kept[0]!.inherit & ~chain.reduce((none, r) => none & r.inherit, ~0)) !== 0) kept.unshift(chain.pop()!);
    needed.push(kept);
  }
  const depth = Math.max(0, ...needed.map((k) => k.length));
  const rounds: MirrorRow[][] = Array.from({ length: depth }, () => []);
  // Aligned to the end: every id's newest change is in the last round.
  for (const kept of needed) kept.forEach((row, i) => rounds[depth - kept.length + i]!.push(row));
  return rounds;
}
