import type pg from 'pg';
import {
  applyReconcileFix, mirrorTable, readLiveRowsAfter, readMirrorRowsById, type MirrorTableName, type ReadRow, type WorkOSObject,
} from '../sinks/postgres-mirror/mirror-tables.js';
import { compareRow, goneRow, type FieldDifference } from './compare-row.js';

/** What reconcile found in one table. */
export interface TableOutcome {
  readonly table: MirrorTableName;
  /** Set when WorkOS could not be listed for this table (a key without Directory Sync, say): nothing was compared. */
  readonly skipped?: string;
  /** WorkOS objects compared with their rows. */
  readonly compared: number;
  /** Rows that differ from WorkOS (missing, extra or with a field that differs). */
  readonly differing: number;
  /** Rows an event changed while reconcile ran: newer than the listing, compared on the next run. */
  readonly changing: number;
  /** Differing rows `--fix` made equal to WorkOS. */
  readonly fixed: number;
}

/** Where the differences go: every one is counted, the first `limit` kept to print. */
export class DifferenceList {
  readonly shown: FieldDifference[] = [];
  total = 0;
  constructor(readonly limit: number) {}
  add(differences: readonly FieldDifference[]): void {
    this.total += differences.length;
    for (const d of differences) if (this.shown.length < this.limit) this.shown.push(d);
  }
}

export interface TableReconcilerContext {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly fix: boolean;
  /** When the run started, by the database's clock: rows changed since are the events', not compared. */
  readonly startedAt: string;
  readonly differences: DifferenceList;
}

/** Rows read per query while looking for live rows WorkOS did not list. */
const SCAN_BATCH = 1000;

/**
 * Reconciles one table, a page of WorkOS objects at a time (so memory holds one page and the
 * ids seen), then, once the listing is complete, the rows the listing did not have.
 */
export class TableReconciler {
  readonly #seen = new Set<string>();
  #skipped: string | undefined;
  #compared = 0;
  #differing = 0;
  #changing = 0;
  #fixed = 0;

  constructor(readonly table: MirrorTableName, private readonly context: TableReconcilerContext) {}

  skip(reason: string): void {
    this.#skipped ??= reason;
  }

  get skipped(): boolean {
    return this.#skipped !== undefined;
  }

  /** Compares a page of live WorkOS objects with their rows; with `fix`, repairs the rows that differ. */
  async comparePage(objects: readonly WorkOSObject[], listedAt: string): Promise<void> {
    if (this.skipped || objects.length === 0) return;
    const { pool, schema, fix, startedAt, differences } = this.context;
    const definition = mirrorTable(this.table);
    const keyed = objects.flatMap((object) => {
      const id = definition.idOf(object);
      return id === undefined ? [] : [{ id, object }];
    });
    const rows = new Map((await readMirrorRowsById(pool, schema, this.table, keyed.map((k) => k.id))).map((r) => [r.id, r]));
    const upserts: WorkOSObject[] = [];
    const read: ReadRow[] = [];
    for (const { id, object } of keyed) {
      this.#seen.add(id);
      this.#compared++;
      const row = rows.get(id);
      if (row && row.changedBy === 'event' && row.syncedAt >= startedAt) {
        this.#changing++;
        continue;
      }
      const found = compareRow(this.table, object, id, row);
      if (found.length === 0) continue;
      this.#differing++;
      differences.add(found);
      upserts.push(object);
      if (row) read.push({ id, xmin: row.xmin });
    }
    if (fix && upserts.length > 0) this.#fixed += (await applyReconcileFix(pool, schema, this.table, { upserts, read, tombstones: [] }, listedAt)).upserted;
  }

  /** After the whole listing: live rows of objects WorkOS did not list are gone from WorkOS. */
  async finish(now: () => number): Promise<TableOutcome> {
    if (!this.skipped) {
      const { pool, schema, fix, startedAt, differences } = this.context;
      let after = '';
      for (;;) {
        const batch = await readLiveRowsAfter(pool, schema, this.table, after, startedAt, SCAN_BATCH);
        const gone = batch.filter((row) => !this.#seen.has(row.id));
        this.#differing += gone.length;
        differences.add(gone.map((row) => goneRow(this.table, row.id)));
        if (fix && gone.length > 0) {
          this.#fixed += (await applyReconcileFix(pool, schema, this.table, { upserts: [], read: [], tombstones: gone }, new Date(now()).toISOString())).tombstoned;
        }
        if (batch.length < SCAN_BATCH) break;
        after = batch.at(-1)!.id;
      }
    }
    this.#seen.clear();
    const outcome = { table: this.table, compared: this.#compared, differing: this.#differing, changing: this.#changing, fixed: this.#fixed };
    return this.#skipped === undefined ? outcome : { ...outcome, skipped: this.#skipped };
  }
}
