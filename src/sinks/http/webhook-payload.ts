import { createHash } from 'node:crypto';
import type { WorkOSEvent } from '../../workos/event.js';

/**
 * The body WorkOS would POST for this event as a webhook: `id`, `event`, `data`, `created_at`
 * first and exactly as fetched. Only `object` (which the Events API adds and webhooks do not
 * send) is dropped; `context` and any top-level field WorkOS adds later are kept after them, so
 * a handler that reads `context` finds it and nothing WorkOS sent is lost.
 */
export function webhookBody(event: WorkOSEvent): Record<string, unknown> {
  const { object: _object, id, event: type, data, created_at, ...rest } = event;
  return { id, event: type, data, created_at, ...rest };
}

/**
 * The Idempotency-Key of a batch: `batch_` + the SHA-256 (hex) of the event ids joined by
 * newlines. A hash of every id, rather than first and last, because two batches that share
 * their ends but not their middle (a changed `events` filter) must not look the same.
 */
export function batchIdempotencyKey(events: readonly WorkOSEvent[]): string {
  const hash = createHash('sha256');
  for (const event of events) hash.update(`${event.id}\n`);
  return `batch_${hash.digest('hex')}`;
}
