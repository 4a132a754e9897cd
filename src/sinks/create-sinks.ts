import { LazySink } from './lazy-sink.js';
import type { SinkConfig } from './registry.js';
import { findSinkEntry } from './registry.js';
import type { Sink, SinkContext } from './sink.js';
import { sinkName } from './sink-name.js';

/** The sinks a config names, each loaded when first used (see LazySink). */
export function createSinks(configs: readonly SinkConfig[], context: SinkContext): Sink[] {
  return configs.map((config, index) => {
    const entry = findSinkEntry(config.type);
    if (!entry) throw new Error(`no sink definition for type ${config.type}`);
    return new LazySink(entry, config, sinkName(config, index, configs), context);
  });
}
