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

/**
 * The contract every cursor store meets. `set` resolves only once the cursor is durable, and
 * with a `fence` only while that fence's token holds the lease (`WES_ERR_LEASE_LOST` otherwise).
 * Failures are WesErrors (`WES_ERR_CURSOR_STORE_UNAVAILABLE` is retryable).
 */
export interface CursorStore {
  /** Where the cursor lives, safe to log (no passwords). */
  readonly description: string;
  open(): Promise<void>;
  get(): Promise<Cursor | null>;
  set(cursor: Cursor, fence?: Fence): Promise<void>;
  /**
   * Writes the cursor only if the store holds none; true if it did. Stores shared by several
   * instances have it, so that a standby can put back a cursor a wiped store lost.
   */
  setIfAbsent?(cursor: Cursor): Promise<boolean>;
  reset(): Promise<void>;
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
