import type { Pool } from 'pg';
import type { WorkOSEvent } from '../../workos/event.js';
import { cascadeMirrorDeletes } from './cascade-mirror-deletes.js';
import { countIgnoredEvents, type IgnoredEvent } from './count-ignored-events.js';
import type { MirrorNames } from './mirror-names.js';
import { objectOfEvent, routeEvent } from './mirror-routing.js';
import { isoTime, mirrorRow, MirrorRowError, planRounds, type MirrorRow } from './mirror-row.js';
import { MIRROR_TABLES, type MirrorTableName } from './mirror-table-definitions.js';
import { upsertMirrorRows } from './upsert-mirror-rows.js';
import { movePosition, type PositionMove } from '../../postgres/positions-table.js';
import { withTransaction } from '../../postgres/with-transaction.js';

/** What a page does to the mirror, computed before any I/O. */
export interface MirrorPagePlan {
  /** Per table, rounds of at most one row per id (see planRounds): usually one, the newest change per id. */
  readonly rows: ReadonlyMap<MirrorTableName, readonly (readonly MirrorRow[])[]>;
  readonly ignored: readonly IgnoredEvent[];
}

/** A page holds an event the mirror cannot store; `eventId` says which. */
export class MirrorEventError extends MirrorRowError {
  constructor(readonly eventId: string, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Routes every event of a page and reduces the changes per (table, id) to the newest. Throws a
 * MirrorEventError for an event whose created_at is not a time, or whose object has no id.
 */
export function planMirrorPage(events: readonly WorkOSEvent[]): MirrorPagePlan {
  const changes = new Map<MirrorTableName, MirrorRow[]>();
  const ignored: IgnoredEvent[] = [];
  for (const event of events) {
    const what = `event ${event.id} (${event.event})`;
    try {
      const at = isoTime(event.created_at, `${what}: created_at`);
      if (at === undefined) throw new MirrorRowError(`${what} has no created_at`);
      const route = routeEvent(event.event);
      if (!route) {
        ignored.push({ eventType: event.event, at, id: event.id });
        continue;
      }
      const table = MIRROR_TABLES.find((t) => t.name === route.table)!;
      const row = mirrorRow(table, objectOfEvent(event.event, event.data), { action: route.action, eventId: event.id, at, changedBy: 'event' }, what);
      const rows = changes.get(table.name) ?? [];
      rows.push(row);
      changes.set(table.name, rows);
    } catch (err) {
      if (err instanceof MirrorRowError) throw new MirrorEventError(event.id, err.message, { cause: err });
      throw err;
    }
  }
  const rows = new Map<MirrorTableName, MirrorRow[][]>();
  for (const [name, tableRows] of changes) rows.set(name, planRounds(tableRows));
  return { rows, ignored };
}

export interface MirrorPageResult {
  /** Rows inserted or changed, per table (replays and stale changes change none). */
  readonly changed: Partial<Record<MirrorTableName, number>>;
  /** Children deleted along with a parent deleted in the page. */
  readonly cascaded: number;
  /** Ignored events newly counted (replays count none). */
  readonly ignoredCounted: number;
}

/**
 * Writes a planned page in one transaction: one multi-row statement per table that has rows
 * (per round, see planRounds), tables in MIRROR_TABLES order (parents first), then the cascades of the page's deletions
 * (one statement per child and parent table), then one statement for the ignored events. Resolves after COMMIT returns,
 * i.e. once Postgres has made the whole page durable; on any failure nothing of the page stays.
 * With `move`, the sink's position moves first, compare-and-set: a writer that finds it moved
 * throws before touching a row, and one that moved it holds its row lock until COMMIT, so two
 * writers of one sink take turns.
 */
export function writeMirrorPage(pool: Pool, names: MirrorNames, plan: MirrorPagePlan, move?: PositionMove): Promise<MirrorPageResult> {
  return withTransaction(pool, async (client) => {
    if (move) await movePosition(client, move);
    const changed: Partial<Record<MirrorTableName, number>> = {};
    const deletedIds = new Map<MirrorTableName, string[]>();
    for (const table of MIRROR_TABLES) {
      const rounds = plan.rows.get(table.name);
      if (!rounds || rounds.length === 0) continue;
      let count = 0;
      for (const rows of rounds) count += await upsertMirrorRows(client, names, table, rows);
      changed[table.name] = count;
      deletedIds.set(table.name, rounds.at(-1)!.filter((r) => r.action === 'delete').map((r) => r.id));
    }
    const cascaded = await cascadeMirrorDeletes(client, names, deletedIds);
    const ignoredCounted = await countIgnoredEvents(client, names.ignoredEvents, plan.ignored);
    return { changed, cascaded, ignoredCounted };
  });
}
