import type { Logger } from 'pino';
import type { CursorMemory } from '../cursor/cursor-memory.js';
import { isEmpty, type CursorStore, type Fence, type Positions } from '../cursor/cursor-store.js';
import type { Retrier } from '../retry/retrier.js';
import type { Sleep } from '../retry/sleep.js';
import type { PipelineObserver } from './pipeline-observer.js';

export interface ReadPositionsOptions {
  readonly store: CursorStore;
  readonly memory: CursorMemory;
  readonly logger: Logger;
  readonly observer: Required<PipelineObserver>;
  readonly retrier: Retrier;
  readonly sleep: Sleep;
  readonly signal?: AbortSignal | undefined;
  readonly fence?: Fence | undefined;
  /**
   * With replicas: how long an instance that has never seen a cursor waits, on finding the store
   * empty, for a standby that remembers one to write it back (each standby reads the store every
   * lease round). 0 without replicas.
   */
  readonly peerWaitMs: number;
}

/**
 * The positions the sinks start from. An empty store is not taken at its word while any instance
 * remembers a cursor: a Redis restarted without persistence would otherwise make the deployment
 * start over from "startFrom", replaying up to 30 days ("earliest") or skipping everything created
 * while Redis was down ("now" or a time). So this instance restores the freshest positions it has
 * seen, or, knowing none, first gives its replicas one lease round to restore theirs. Only when
 * every instance starts cold on an empty store do the sinks fall back to "startFrom".
 */
export async function readPositions(options: ReadPositionsOptions): Promise<Positions> {
  const { store, memory, logger, retrier } = options;
  const read = () => retrier.run(() => store.read(), { what: 'read the cursor', operation: 'cursor_read', signal: options.signal });
  let stored = await read();
  if (isEmpty(stored) && !memory.latest && options.peerWaitMs > 0 && !memory.peersAwaited) {
    memory.peersAwaited = true;
    logger.info({ wait_ms: options.peerWaitMs, store: store.description }, 'no cursor in the store: giving the other replicas one lease round to restore the one they remember before starting from "startFrom"');
    await options.sleep(options.peerWaitMs, options.signal);
    stored = await read();
  }
  const remembered = memory.latest;
  if (isEmpty(stored) && remembered) {
    logger.error(
      { cursor: remembered.deployment?.id ?? null, store: store.description },
      'the cursor vanished from the store (was Redis restarted without persistence?); restoring the freshest cursor this instance has seen, instead of starting over',
    );
    const restore = store.restore?.bind(store);
    await retrier.run(async () => {
      // Only into a store still empty: a standby may have restored it in the meantime.
      if (restore) await restore(remembered);
      else if (remembered.deployment) await store.set(remembered.deployment, options.fence);
    }, { what: 'restore the cursor', operation: 'cursor_commit', signal: options.signal });
    options.observer.cursorRestored('drain');
    stored = await read();
  }
  memory.remember(stored);
  return stored;
}
