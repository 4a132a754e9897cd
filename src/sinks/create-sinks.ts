import type { SinkBinding } from '../pipeline/deliver.js';
import type { SinkConfig } from './registry.js';
import { findSinkDefinition } from './registry.js';
import type { Sink, SinkContext } from './sink.js';

/** Default names: the type, suffixed with its position when the same type appears twice. */
export function sinkName(config: SinkConfig, index: number, all: readonly SinkConfig[]): string {
  if (config.name) return config.name;
  const sameType = all.filter((c) => c.type === config.type && !c.name).length;
  return sameType > 1 ? `${config.type}-${index}` : config.type;
}

export function createSinks(configs: readonly SinkConfig[], context: SinkContext): Sink[] {
  return configs.map((config, index) => {
    const definition = findSinkDefinition(config.type);
    if (!definition) throw new Error(`no sink definition for type ${config.type}`);
    return definition.create(config, sinkName(config, index, configs), context);
  });
}

/** Each sink with the pipeline's settings from its config entry (filter, attempts, failure policy). */
export function bindSinks(sinks: readonly Sink[], configs: readonly SinkConfig[]): SinkBinding[] {
  return sinks.map((sink, i) => {
    const config = configs[i];
    return {
      sink,
      events: config?.events && config.events.length > 0 ? new Set(config.events) : undefined,
      maxAttempts: config?.maxAttempts,
      onFailure: config?.onFailure ?? 'halt',
    };
  });
}
