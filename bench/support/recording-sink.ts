import type { Sink, SinkPage } from '../../src/sinks/sink.js';

/** A sink that notes when each event arrived (performance.now), optionally taking `writeMs` per page. */
export function recordingSink(writeMs = 0): Sink & { readonly arrivals: Map<string, number>; pages: number } {
  const arrivals = new Map<string, number>();
  const sink = {
    name: 'recording',
    type: 'bench',
    pages: 0,
    arrivals,
    open: async () => undefined,
    probe: async () => undefined,
    close: async () => undefined,
    async write(page: SinkPage) {
      if (writeMs > 0) await new Promise((r) => setTimeout(r, writeMs));
      const at = performance.now();
      for (const event of page.events) if (!arrivals.has(event.id)) arrivals.set(event.id, at);
      sink.pages++;
    },
  };
  return sink;
}
