import { WesError } from '../errors.js';

/** The event filter a cursor was made with: a cursor is only valid for the same filter. */
export interface CursorFilter {
  /** Sorted event types; empty means all. */
  readonly events: readonly string[];
  readonly organizationId: string | null;
}

/**
 * Where the next drain starts. `id` is the last event every sink accepted, with its `createdAt`
 * (the order guard compares the next page against it). A cursor with `id: null` is a start
 * time only (from `startFrom` or `--from`), read with `range_start` until the first page is committed.
 */
export interface Cursor {
  readonly id: string | null;
  /** `created_at` of that event, or the start time; null when set by hand without one. */
  readonly createdAt: string | null;
  /** Absent on cursors written by hand or by older versions: accepted as matching any filter. */
  readonly filter?: CursorFilter | undefined;
}

/** Proof of leadership for a cursor write: the lease key and this instance's token. */
export interface Fence {
  readonly leaseKey: string;
  readonly token: string;
}

/** What the stores keep: the cursor plus when it was written, for people reading it. */
interface StoredCursor {
  readonly version: 1;
  readonly id: string | null;
  readonly created_at: string | null;
  readonly filter?: { readonly events: readonly string[]; readonly organization_id: string | null };
  readonly committed_at: string;
}

/** Every sink's position, and the deployment's: what one read of a cursor store returns. */
export interface Positions {
  /**
   * The slowest sink's position, under `cursor.key` in the format every version reads: an older
   * instance that takes the lease during a rolling deploy resumes from it (replaying to the faster
   * sinks, never skipping). It is never moved backwards.
   */
  readonly deployment: Cursor | null;
  /**
   * Each sink's own position. Undefined when the store predates per-sink positions (or was set
   * for every sink at once): then every sink starts at `deployment`. Once defined, a sink missing
   * from it is new and starts from its own `startFrom`.
   */
  readonly sinks: ReadonlyMap<string, Cursor> | undefined;
}

export const NO_POSITIONS: Positions = { deployment: null, sinks: undefined };

/**
 * Where one sink stands in the store: its own entry once the store holds per-sink positions (none:
 * a new sink, which starts from its `startFrom`), else the deployment's (a store an older version
 * wrote, or set for every sink at once).
 */
export function positionOfSink(positions: Positions, sink: string): Cursor | null {
  return positions.sinks ? positions.sinks.get(sink) ?? null : positions.deployment;
}

/** True when the store holds nothing at all: a fresh deployment, a reset, or a Redis restarted empty. */
export function isEmpty(positions: Positions): boolean {
  return positions.deployment === null && positions.sinks === undefined;
}

/**
 * The contract every cursor store meets. Writes resolve only once durable, and with a `fence`
 * only while that fence's token holds the lease (`WES_ERR_LEASE_LOST` otherwise). Failures are
 * WesErrors (`WES_ERR_CURSOR_STORE_UNAVAILABLE` is retryable).
 */
export interface CursorStore {
  /** Where the cursor lives, safe to log (no passwords). */
  readonly description: string;
  open(): Promise<void>;
  read(): Promise<Positions>;
  /** The deployment's position alone (`Positions.deployment`). */
  get(): Promise<Cursor | null>;
  /** Moves one sink to `cursor` and, when given, the deployment's position too, in one atomic write. */
  commit(sink: string, cursor: Cursor, fence?: Fence, deployment?: Cursor): Promise<void>;
  /** Every sink to `cursor`: the deployment's position becomes it, the per-sink positions go. */
  set(cursor: Cursor, fence?: Fence): Promise<void>;
  /** That sink starts again from its `startFrom`; the others keep their positions. */
  forget(sink: string): Promise<void>;
  /** Forgets every position: every sink starts from its `startFrom`. */
  reset(): Promise<void>;
  /**
   * Writes `positions` only if the store holds nothing; true if it did. Stores shared by several
   * instances have it, so that a standby can put back what a wiped store lost.
   */
  restore?(positions: Positions): Promise<boolean>;
  probe(): Promise<void>;
  close(): Promise<void>;
}

export function filterOf(events: readonly string[], organizationId: string | undefined): CursorFilter {
  return { events: [...events].sort(), organizationId: organizationId ?? null };
}

export function sameFilter(a: CursorFilter, b: CursorFilter): boolean {
  return a.organizationId === b.organizationId && a.events.length === b.events.length && a.events.every((e, i) => e === b.events[i]);
}

export function describeFilter(filter: CursorFilter): string {
  const types = filter.events.length > 0 ? `events [${filter.events.join(', ')}]` : 'all events';
  return filter.organizationId ? `${types} of organization ${filter.organizationId}` : types;
}

export function serializeCursor(cursor: Cursor, now: Date): string {
  const stored: StoredCursor = {
    version: 1,
    id: cursor.id,
    created_at: cursor.createdAt,
    ...(cursor.filter ? { filter: { events: cursor.filter.events, organization_id: cursor.filter.organizationId } } : {}),
    committed_at: now.toISOString(),
  };
  return JSON.stringify(stored);
}

/** Refuses anything that is not a cursor this daemon wrote: a silent reset would skip events. */
export function deserializeCursor(text: string, where: string): Cursor {
  let parsed: Partial<StoredCursor> | undefined;
  try {
    parsed = JSON.parse(text) as Partial<StoredCursor>;
  } catch {
    parsed = undefined;
  }
  const filter = parsed?.filter;
  const valid = parsed !== undefined && parsed !== null && typeof parsed === 'object'
    && (typeof parsed.id === 'string' || parsed.id === null)
    && (typeof parsed.created_at === 'string' || parsed.created_at === null)
    && !(parsed.id === null && parsed.created_at === null)
    && (filter === undefined || (Array.isArray(filter.events) && (typeof filter.organization_id === 'string' || filter.organization_id === null)));
  if (!valid) {
    throw new WesError('WES_ERR_CURSOR_CORRUPT', `the cursor in ${where} is unreadable; inspect it, then fix it with "workos-events-sync cursor set <event_id>" or "cursor reset"`);
  }
  return {
    id: parsed!.id ?? null,
    createdAt: parsed!.created_at ?? null,
    ...(filter ? { filter: { events: filter.events, organizationId: filter.organization_id } } : {}),
  };
}
