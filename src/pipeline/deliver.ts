import type { Logger } from 'pino';
import type { DeadLetterStore } from '../dead-letter/dead-letter-store.js';
import { isAborted, isLeaseLost, isWesError, WesError } from '../errors.js';
import type { Retrier } from '../retry/retrier.js';
import type { Sink, SinkPage } from '../sinks/sink.js';
import type { WorkOSEvent } from '../workos/event.js';
import type { PipelineObserver } from './pipeline-observer.js';

/** A sink with the pipeline's settings for it (from its config entry). */
export interface SinkBinding {
  readonly sink: Sink;
  /** Only these event types go to the sink; undefined means all. */
  readonly events?: ReadonlySet<string> | undefined;
  readonly maxAttempts?: number | undefined;
  readonly onFailure: 'halt' | 'dead-letter';
}

export interface DeliverOptions {
  readonly logger: Logger;
  readonly retrier: Retrier;
  readonly observer: Required<PipelineObserver>;
  readonly deadLetters?: DeadLetterStore | undefined;
  /** Shutdown: stops waiting between attempts (a write already started is let finish). */
  readonly signal?: AbortSignal | undefined;
  readonly now: () => number;
  /** Throws once this instance may no longer write (its leader lease ran out): called before every sink request. */
  readonly beforeRequest?: (() => void) | undefined;
}

/** Stops the page at once: neither retried, nor dead-lettered, nor counted against the sink. */
function mustStop(err: unknown, options: DeliverOptions): boolean {
  return isAborted(err, options.signal) || isLeaseLost(err);
}

function errorFields(err: unknown): { code: string; message: string } {
  return { code: isWesError(err) ? err.code : 'WES_ERR_SINK_REJECTED', message: err instanceof Error ? err.message : String(err) };
}

/**
 * After a sink gave up on a page: tries its events one at a time, so that the ones it does accept
 * are delivered, and records the rest (with their error) in the dead-letter store. Resolves only
 * once every event is either accepted or durably dead-lettered; otherwise throws (halt).
 */
async function deadLetterFailures(binding: SinkBinding, events: readonly WorkOSEvent[], options: DeliverOptions): Promise<void> {
  const store = options.deadLetters;
  if (!store) throw new WesError('WES_ERR_CONFIG', `sink "${binding.sink.name}" has onFailure "dead-letter" but no dead-letter store is configured`);
  const failed: WorkOSEvent[] = [];
  for (const event of events) {
    try {
      options.beforeRequest?.();
      await binding.sink.write({ events: [event] });
    } catch (err) {
      if (mustStop(err, options)) throw err;
      await store.add(binding.sink.name, [event], errorFields(err));
      failed.push(event);
    }
  }
  if (failed.length > 0) {
    options.observer.deadLettered(binding.sink.name, failed);
    options.logger.error(
      { sink: binding.sink.name, count: failed.length, event_ids: failed.map((e) => e.id), store: store.description },
      'dead-lettered events the sink would not accept; replay them with "workos-events-sync dlq replay"',
    );
  }
}

/**
 * Hands one page to one sink, with its own retries, and resolves only when it accepted the page
 * (or, for a dead-letter sink, dead-lettered what it refused). `page` may carry the position to
 * commit with it, for a sink that stores its position in its own transaction.
 */
export async function deliverToSink(binding: SinkBinding, page: SinkPage, options: DeliverOptions): Promise<void> {
  const { sink } = binding;
  const events = binding.events ? page.events.filter((e) => binding.events!.has(e.event)) : page.events;
  // A sink keeping its own position commits even a page with nothing for it, or it would replay it.
  if (events.length === 0 && !page.commit) return;
  const started = options.now();
  try {
    await options.retrier.run(async () => {
      options.beforeRequest?.();
      await sink.write({ ...page, events, beforeRequest: options.beforeRequest });
    }, {
      what: `write a page to sink "${sink.name}"`,
      operation: 'sink_write',
      fields: { sink: sink.name, first_event_id: events[0]?.id ?? null },
      maxAttempts: binding.maxAttempts,
      signal: options.signal,
    });
  } catch (err) {
    if (mustStop(err, options)) throw err;
    if (binding.onFailure !== 'dead-letter' || events.length === 0) {
      options.observer.sinkHalted(sink.name, true);
      throw err;
    }
    options.logger.warn({ sink: sink.name, err }, 'sink gave up on a page; trying its events one by one before dead-lettering');
    await deadLetterFailures(binding, events, options);
    // What was accepted or dead-lettered is settled: the sink's own position moves past the page.
    if (page.commit) await sink.write({ events: [], commit: page.commit });
  }
  options.observer.sinkHalted(sink.name, false);
  options.observer.sinkDelivered(sink.name, events, (options.now() - started) / 1000);
}
