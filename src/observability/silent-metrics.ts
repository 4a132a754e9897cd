import type { Metrics } from './metrics.js';

/**
 * Metrics for a process that serves none (`once`, or `run` with `http.enabled: false`): every
 * instrument, method and label accepts what it is given and keeps nothing, so that nothing below
 * the daemon needs to know, and prom-client is never loaded (about 20 MB of a cron `once`). One
 * callable object stands for all of them: any property is itself, any call returns nothing.
 */
export function silentMetrics(): Metrics {
  const silent: object = new Proxy(function silent() {}, {
    get: (_target, property) => (property === 'then' ? undefined : silent),
    apply: () => undefined,
  });
  return silent as Metrics;
}
