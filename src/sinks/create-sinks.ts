import type { SinkConfig } from './registry.js';
import { findSinkDefinition } from './registry.js';
import type { Sink, SinkContext } from './sink.js';
import { sinkName } from './sink-name.js';

export function createSinks(configs: readonly SinkConfig[], context: SinkContext): Sink[] {
  return configs.map((config, index) => {
    const definition = findSinkDefinition(config.type);
    if (!definition) throw new Error(`no sink definition for type ${config.type}`);
    return definition.create(config, sinkName(config, index, configs), context);
  });
}
