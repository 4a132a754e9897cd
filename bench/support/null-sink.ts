import type { Sink } from '../../src/sinks/sink.js';

/** A sink that accepts every page at once and keeps nothing: the daemon's cost without a sink's. */
export function nullSink(): Sink {
  return { name: 'null', type: 'bench', open: async () => undefined, probe: async () => undefined, close: async () => undefined, write: async () => undefined };
}
