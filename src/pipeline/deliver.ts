import type { Logger } from 'pino';
import type { RetryConfig } from '../config/schema.js';
import type { Sink, SinkPage } from '../sinks/sink.js';
import type { Sleep } from '../retry/sleep.js';
import { withRetry } from '../retry/with-retry.js';

export interface DeliverOptions {
  readonly logger: Logger;
  readonly retry: RetryConfig;
  readonly sleep: Sleep;
  readonly random?: () => number;
  /** Shutdown: stops waiting between attempts (a write already started is let finish). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Hands one page to every sink at once, each with its own retries, and resolves only when all of
 * them accepted it. Sinks that succeeded while another failed have written the page: the replay
 * that follows is harmless to them because writes are idempotent by event id.
 */
export async function deliverToSinks(sinks: readonly Sink[], page: SinkPage, options: DeliverOptions): Promise<void> {
  const results = await Promise.allSettled(
    sinks.map((sink) =>
      withRetry(() => sink.write(page), {
        what: `write a page to sink "${sink.name}"`,
        fields: { sink: sink.name, first_event_id: page.events[0]?.id },
        maxAttempts: options.retry.maxAttempts,
        backoff: options.retry,
        logger: options.logger,
        sleep: options.sleep,
        signal: options.signal,
        ...(options.random ? { random: options.random } : {}),
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
