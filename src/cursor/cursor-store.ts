import { WesError } from '../errors.js';

/**
 * Where the next drain starts. `id` is the last event every sink accepted, with its `createdAt`
 * (the order guard compares the next page against it). A cursor with `id: null` is a start
 * time only (from `startFrom`), read with `range_start` until the first page is committed.
 */
export interface Cursor {
  readonly id: string | null;
  /** `created_at` of that event, or the start time; null when set by hand without one. */
  readonly createdAt: string | null;
}

/** What the stores keep: the cursor plus when it was written, for people reading it. */
interface StoredCursor {
  readonly version: 1;
  readonly id: string | null;
  readonly created_at: string | null;
  readonly committed_at: string;
}

/**
 * The contract every cursor store meets. `set` resolves only once the cursor is durable;
 * failures are WesErrors (`WES_ERR_CURSOR_STORE_UNAVAILABLE` is retryable).
 */
export interface CursorStore {
  /** Where the cursor lives, safe to log (no passwords). */
  readonly description: string;
  open(): Promise<void>;
  get(): Promise<Cursor | null>;
  set(cursor: Cursor): Promise<void>;
  reset(): Promise<void>;
  probe(): Promise<void>;
  close(): Promise<void>;
}

export function serializeCursor(cursor: Cursor, now: Date): string {
  const stored: StoredCursor = { version: 1, id: cursor.id, created_at: cursor.createdAt, committed_at: now.toISOString() };
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
  const valid = parsed !== undefined && parsed !== null && typeof parsed === 'object'
    && (typeof parsed.id === 'string' || parsed.id === null)
    && (typeof parsed.created_at === 'string' || parsed.created_at === null)
    && !(parsed.id === null && parsed.created_at === null);
  if (!valid) {
    throw new WesError('WES_ERR_CURSOR_CORRUPT', `the cursor in ${where} is unreadable; inspect it, then fix it with "workos-events-sync cursor set <event_id>" or "cursor reset"`);
  }
  return { id: parsed!.id ?? null, createdAt: parsed!.created_at ?? null };
}
