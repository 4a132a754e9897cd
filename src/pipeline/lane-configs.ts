import type { Config } from '../config/schema.js';
import type { Sink } from '../sinks/sink.js';
import type { LaneConfig } from './pipeline.js';

/** Each sink with the pipeline's settings from its config entry: filter, attempts, failure policy, start, upstream. */
export function laneConfigsOf(sinks: readonly Sink[], config: Pick<Config, 'sinks' | 'startFrom'>): LaneConfig[] {
  return sinks.map((sink, i) => {
    const entry = config.sinks[i];
    return {
      binding: {
        sink,
        events: entry?.events && entry.events.length > 0 ? new Set(entry.events) : undefined,
        maxAttempts: entry?.maxAttempts,
        onFailure: entry?.onFailure ?? 'halt',
      },
      startFrom: entry?.startFrom ?? config.startFrom,
      after: entry?.after,
    };
  });
}
