import type { Config } from '../config/schema.js';
import type { Cursor } from '../cursor/cursor-store.js';

/** Where a first drain begins: nothing (the oldest retained event) or a time, read with `range_start`. */
export function resolveStart(startFrom: Config['startFrom'], nowMs: number): Cursor | null {
  if (startFrom === 'earliest') return null;
  const at = startFrom === 'now' ? new Date(nowMs) : new Date(startFrom);
  return { id: null, createdAt: at.toISOString() };
}
