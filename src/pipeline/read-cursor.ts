import type { Logger } from 'pino';
import type { CursorMemory } from '../cursor/cursor-memory.js';
import type { Cursor, CursorStore, Fence } from '../cursor/cursor-store.js';
import type { Sleep } from '../retry/sleep.js';
import { withRetry, type RetryOptions } from '../retry/with-retry.js';
import type { DrainObserver } from './drain-observer.js';

export interface ReadCursorOptions {
  readonly store: CursorStore;
  readonly memory: CursorMemory;
  readonly logger: Logger;
  readonly observer: DrainObserver;
  readonly sleep: Sleep;
  readonly signal?: AbortSignal | undefined;
  readonly fence?: Fence | undefined;
  /** Retry options for one cursor operation (`what` for the logs, `operation` for the metrics). */
  readonly retry: (what: string, operation: string) => RetryOptions;
  /**
   * With replicas: how long an instance that has never seen a cursor waits, on finding the store
   * empty, for a standby that remembers one to write it back (each standby reads the store every
   * lease round). 0 without replicas.
   */
  readonly peerWaitMs: number;
}

/**
 * The cursor a drain starts from. An empty store is not taken at its word while any instance
 * remembers a cursor: a Redis restarted without persistence would otherwise make the deployment
 * start over from "startFrom", replaying up to 30 days ("earliest") or skipping everything created
 * while Redis was down ("now" or a time). So this instance restores the freshest cursor it has
 * seen, or, knowing none, first gives its replicas one lease round to restore theirs. Only when
 * every instance starts cold on an empty store does the drain fall back to "startFrom".
 */
export async function readCursor(options: ReadCursorOptions): Promise<Cursor | null> {
  const { store, memory, logger } = options;
  const read = () => withRetry(() => store.get(), options.retry('read the cursor', 'cursor_read'));
  let stored = await read();
  if (!stored && !memory.latest && options.peerWaitMs > 0 && !memory.peersAwaited) {
    memory.peersAwaited = true;
    logger.info({ wait_ms: options.peerWaitMs, store: store.description }, 'no cursor in the store: giving the other replicas one lease round to restore the one they remember before starting from "startFrom"');
    await options.sleep(options.peerWaitMs, options.signal);
    stored = await read();
  }
  const remembered = memory.latest;
  if (!stored && remembered) {
    logger.error(
      { cursor: remembered.id, cursor_created_at: remembered.createdAt, store: store.description },
      'the cursor vanished from the store (was Redis restarted without persistence?); restoring the freshest cursor this instance has seen, instead of starting over',
    );
    await withRetry(() => store.set(remembered, options.fence), options.retry('restore the cursor', 'cursor_commit'));
    options.observer.cursorRestored('drain');
    stored = remembered;
  }
  memory.remember(stored);
  return stored;
}
