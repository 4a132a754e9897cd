import type { WorkOSEvent } from '../workos/event.js';

/** One event a sink could not accept, with the error that made the pipeline give up on it. */
export interface DeadLetter {
  /** The store's own id (a Redis stream id): what `remove` takes. */
  readonly entryId: string;
  readonly sink: string;
  /**
   * The event exactly as WorkOS sent it. When the stored copy is unreadable, a stand-in built
   * from the entry's own fields (`created_at: ''`, the stored text under `raw`) so that a person
   * inspecting the store still sees it.
   */
  readonly event: WorkOSEvent;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** When the pipeline gave up on the event, ISO-8601. */
  readonly failedAt: string;
}

/**
 * Where the pipeline puts events that a sink configured with `onFailure: "dead-letter"` kept
 * rejecting, so the cursor can move on; `dlq list|replay` reads them back later. Failures are
 * `WesError`s with code `WES_ERR_DEAD_LETTER_UNAVAILABLE`, retryable when the store may recover.
 */
export interface DeadLetterStore {
  /** Safe to log (no passwords). */
  readonly description: string;
  /**
   * Durably records the events that `sink` could not accept, in order, all or nothing. Resolves
   * only once the store acknowledged every write: the pipeline moves its cursor right after.
   */
  add(sink: string, events: readonly WorkOSEvent[], error: { code: string; message: string }): Promise<void>;
  /** Oldest first. `sink` omitted: every sink's, merged by age. `limit`: at most that many. */
  list(options?: { sink?: string; limit?: number }): Promise<DeadLetter[]>;
  /** Removes entries after a successful replay; resolves to how many existed and were removed. */
  remove(sink: string, entryIds: readonly string[]): Promise<number>;
  /** Entries held for `sink`, or for every sink when omitted. */
  count(sink?: string): Promise<number>;
  /** Sinks that have (or had) dead letters, sorted by name. */
  sinks(): Promise<string[]>;
}
