import type { Sink, SinkPage } from '../../src/sinks/sink.js';

export interface CollectingSinkOptions {
  /** Time taken by every page: a slow sink. */
  readonly pageMs?: number;
  /** Time taken once, by the page numbered `atPage` (0 is the first): a sink that stalls for a moment. */
  readonly stall?: { readonly atPage: number; readonly ms: number };
}

/**
 * A sink that keeps the id of every event it is given, in arrival order and repeats included (so a
 * bench can check "every event once, in order"), taking as long per page as it is told.
 */
export function collectingSink(name: string, options: CollectingSinkOptions = {}): Sink & { readonly ids: string[] } {
  const ids: string[] = [];
  let pages = 0;
  return {
    name,
    type: 'bench',
    ids,
    open: async () => undefined,
    probe: async () => undefined,
    close: async () => undefined,
    async write(page: SinkPage) {
      const ms = (options.pageMs ?? 0) + (options.stall?.atPage === pages++ ? options.stall.ms : 0);
      if (ms > 0) await new Promise((r) => setTimeout(r, ms));
      for (const event of page.events) ids.push(event.id);
    },
  };
}
