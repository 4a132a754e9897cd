import { createRequire } from 'node:module';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { parseEventTime } from '../workos/event.js';
import { createReconcileMetrics, type ReconcileMetrics } from './reconcile-metrics.js';

const PREFIX = 'workos_events_sync_';

/** Why the daemon waited before asking WorkOS again. */
export type WaitReason = 'retry_after' | 'budget';

export interface MetricsOptions {
  /** The clock for scrape-time gauges and the commit timestamp, in ms since the epoch. Default: `Date.now`. */
  readonly now?: () => number;
  /**
   * Also collect Node's default process metrics (prefixed `workos_events_sync_`). Default: true.
   * Tests turn it off: each collector keeps observers running for the life of the process.
   */
  readonly defaultMetrics?: boolean;
}

/** The minimum the commit path needs to know about each event. */
export interface CommittedEvent {
  readonly event: string;
  readonly created_at: string;
}

/**
 * Every instrument of the daemon, in a registry of its own, plus the few calls the pipeline makes
 * so that it never handles label names itself.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly eventsDelivered: Counter<'sink' | 'event_type'>;
  readonly pages: Counter;
  readonly requests: Counter<'status'>;
  readonly rateLimited: Counter;
  readonly rateLimitWaitSeconds: Counter<'reason'>;
  /** `operation`: `fetch`, `sink_write`, `cursor_read`, `cursor_commit`. */
  readonly retries: Counter<'operation'>;
  /** `code`: the `WES_ERR_...` code of the error that ended the drain. */
  readonly drainFailures: Counter<'code'>;
  readonly lagSeconds: Gauge;
  readonly cursorAgeSeconds: Gauge;
  readonly cursorStale: Gauge;
  readonly orderViolations: Counter;
  readonly sinkWriteDuration: Histogram<'sink'>;
  readonly sinkHalted: Gauge<'sink'>;
  /** Drains of each sink that failed one after the other; 0 once one ends without an error. */
  readonly sinkConsecutiveDrainFailures: Gauge<'sink'>;
  /**
   * When each sink's last drain reached the end of the stream, by sink (absent until it first does).
   * Lag alone cannot tell a sink that is behind from a quiet WorkOS with no new events; this can.
   */
  readonly sinkLastCaughtUpTimestampSeconds: Gauge<'sink'>;
  readonly deadLetters: Counter<'sink'>;
  readonly leader: Gauge;
  readonly lastCommitTimestampSeconds: Gauge;
  /** Webhook deliveries answered, by `result` (accepted, unauthorized, forbidden, too_large, ...). */
  readonly webhooksReceived: Counter<'result'>;
  /** Events a webhook announced that the Events API had not delivered within `webhook.crossCheckAfterMs`. */
  readonly webhooksUnconfirmed: Counter;
  /** Seconds between now and the `created_at` of each sink's position, by sink (absent until known). */
  readonly sinkLagSeconds: Gauge<'sink'>;
  /** Events each sink is behind the sink furthest ahead, by sink (absent while not known). */
  readonly sinkEventsBehind: Gauge<'sink'>;
  /** The cursor was found gone from its store and written back from memory, `by` the draining instance or a standby. */
  readonly cursorRestored: Counter<'by'>;
  /** The scheduled reconciliation (`reconcile.schedule`). */
  readonly reconcile: ReconcileMetrics;

  /**
   * A page was committed: counts the page and its events per sink and type, and moves the lag,
   * the cursor age and the commit timestamp to its last event. Events are in ascending order.
   */
  observeCommit(events: readonly CommittedEvent[], sinkNames: readonly string[]): void;
  /** A sink's position moved (read or committed): its `created_at` (null: none, or one without a time). */
  observeSinkPosition(sink: string, createdAtIso: string | null): void;
  /** The stored cursor's `created_at` (null: no cursor, or one without a time; the gauge is then absent). */
  setCursorTime(createdAtIso: string | null): void;
  /** One answer from WorkOS: its HTTP status, or `network` when none came. 429s also count as rate limited. */
  observeRequest(status: number | 'network'): void;
  /** Seconds spent waiting on a 429's `Retry-After` or on the client-side request budget. */
  observeWait(seconds: number, reason: WaitReason): void;
  /** The exposition text for `/metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** 1 ms to 30 s: a local file append at the low end, a slow HTTP sink timing out at the top. */
const SINK_WRITE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Builds the daemon's metrics in a fresh registry (never the global one, so many can coexist). */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const now = options.now ?? Date.now;
  // Required here, not imported: prom-client adds about 20 MB, and a process that serves no
  // metrics (`once`) never builds them (see silent-metrics.ts). It is a CommonJS package.
  const prom = createRequire(import.meta.url)('prom-client') as typeof import('prom-client');
  const registry = new prom.Registry();
  if (options.defaultMetrics ?? true) prom.collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];

  const counter = <L extends string = string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new prom.Counter<L>({ name: PREFIX + name, help, labelNames, registers });
  const gauge = <L extends string = string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new prom.Gauge<L>({ name: PREFIX + name, help, labelNames, registers });

  // Epoch ms of the event times; undefined until known, so that the gauges have no sample at all
  // rather than a misleading 0 ("caught up") before anything was committed or read.
  let lastCommittedEventMs: number | undefined;
  let cursorEventMs: number | undefined;

  // Ages are computed when scraped, not when set: a stalled daemon must show a growing lag.
  const ageGauge = (name: string, help: string, since: () => number | undefined) =>
    new prom.Gauge({
      name: PREFIX + name,
      help,
      registers,
      collect() {
        const at = since();
        // Clock skew between WorkOS and this host must not show as a negative age.
        if (at === undefined) this.remove({});
        else this.set(Math.max(0, (now() - at) / 1000));
      },
    });

  const rateLimitWaitSeconds = counter('rate_limit_wait_seconds_total', 'Seconds spent waiting before asking WorkOS again, because of a 429 Retry-After or the client-side request budget.', ['reason']);
  // Both series exist from the start, so that rate() over them works before the first wait.
  for (const reason of ['retry_after', 'budget'] as const) rateLimitWaitSeconds.inc({ reason }, 0);

  const cursorRestored = counter('cursor_restored_total', 'Times the cursor was found gone from its store (a Redis restarted without persistence) and written back from what an instance remembered, by who wrote it back (drain, standby).', ['by']);
  for (const by of ['drain', 'standby'] as const) cursorRestored.inc({ by }, 0);

  // Per sink, like the ages above: computed when scraped, so a sink that stopped shows a growing lag.
  const sinkEventMs = new Map<string, number>();
  const sinkLagSeconds = new prom.Gauge<'sink'>({
    name: `${PREFIX}sink_lag_seconds`,
    help: 'Seconds between now and the created_at of the event each sink has committed up to, by sink.',
    labelNames: ['sink'],
    registers,
    collect() {
      for (const [sink, at] of sinkEventMs) this.set({ sink }, Math.max(0, (now() - at) / 1000));
    },
  });

  const metrics = {
    registry,
    cursorRestored,
    sinkLagSeconds,
    sinkEventsBehind: gauge('sink_events_behind', 'Events each sink is behind the sink furthest ahead, as far as this process has read the stream; absent while not known (a sink that started further back than anything read since the start).', ['sink']),
    eventsDelivered: counter('events_delivered_total', 'Events accepted by a sink and committed, by sink and event type.', ['sink', 'event_type']),
    pages: counter('pages_total', 'Pages of events a sink accepted and committed, counted once per sink.'),
    requests: counter('requests_total', 'Requests to the WorkOS Events API, by HTTP status ("network" when no response came).', ['status']),
    rateLimited: counter('rate_limited_total', 'Responses with status 429 received from WorkOS.'),
    rateLimitWaitSeconds,
    retries: counter('retries_total', 'Retried attempts, by operation (fetch, sink_write, cursor_read, cursor_commit).', ['operation']),
    drainFailures: counter('drain_failures_total', 'Drains that ended in an error, by stable error code.', ['code']),
    lagSeconds: ageGauge('lag_seconds', 'Seconds between now and the created_at of the last event this process committed, for any sink; absent before the first commit.', () => lastCommittedEventMs),
    cursorAgeSeconds: ageGauge('cursor_age_seconds', 'Seconds between now and the created_at of the slowest sink\'s position (the stored cursor); absent while not known.', () => cursorEventMs),
    cursorStale: gauge('cursor_stale', '1 when any sink\'s position is older than cursor.maxAgeDays (WorkOS keeps events 30 days), else 0.'),
    orderViolations: counter('order_violations_total', 'Pages refused because their events were out of order or did not follow the cursor.'),
    sinkWriteDuration: new prom.Histogram({
      name: `${PREFIX}sink_write_duration_seconds`,
      help: 'Time a sink took to accept one page, by sink.',
      labelNames: ['sink'] as const,
      buckets: SINK_WRITE_BUCKETS,
      registers,
    }),
    sinkHalted: gauge('sink_halted', '1 while a sink is halted and receives no pages, else 0, by sink.', ['sink']),
    sinkConsecutiveDrainFailures: gauge('sink_consecutive_drain_failures', 'Drains of a sink that failed one after the other (a lost lease does not count); 0 once a drain ends without an error, by sink.', ['sink']),
    sinkLastCaughtUpTimestampSeconds: gauge('sink_last_caught_up_timestamp_seconds', 'Unix time in seconds at which the last drain of a sink ended without an error, caught up with the stream, by sink; absent until it first does.', ['sink']),
    deadLetters: counter('dead_letters_total', 'Events a sink set aside as dead letters, by sink.', ['sink']),
    leader: gauge('leader', '1 while this process holds the leader lease and polls (or runs without leader election), else 0.'),
    lastCommitTimestampSeconds: gauge('last_commit_timestamp_seconds', 'Unix time in seconds of the last cursor commit by this process.'),
    webhooksReceived: counter('webhooks_received_total', 'Webhook deliveries answered, by result (accepted, unauthorized, forbidden, too_large, bad_request, method_not_allowed).', ['result']),
    webhooksUnconfirmed: counter('webhooks_unconfirmed_total', 'Events announced by a webhook that the Events API had not delivered within webhook.crossCheckAfterMs.'),
    reconcile: createReconcileMetrics(counter, gauge),
  };

  const eventTimeMs = (createdAtIso: string | null): number | undefined => {
    if (createdAtIso === null) return undefined;
    const ms = parseEventTime(createdAtIso);
    return Number.isNaN(ms) ? undefined : ms;
  };

  return {
    ...metrics,

    observeCommit(events, sinkNames) {
      metrics.pages.inc();
      metrics.lastCommitTimestampSeconds.set(now() / 1000);
      const last = events.at(-1);
      if (!last) return;
      // One inc(n) per sink and type instead of one per event: this runs for every page.
      const perType = new Map<string, number>();
      for (const e of events) perType.set(e.event, (perType.get(e.event) ?? 0) + 1);
      for (const sink of sinkNames) {
        for (const [event_type, n] of perType) metrics.eventsDelivered.inc({ sink, event_type }, n);
      }
      const ms = eventTimeMs(last.created_at);
      if (ms !== undefined) {
        lastCommittedEventMs = ms;
        // The commit moved the cursor to this event, so the cursor's age follows it.
        cursorEventMs = ms;
      }
    },

    observeSinkPosition(sink, createdAtIso) {
      const ms = eventTimeMs(createdAtIso);
      if (ms === undefined) {
        sinkEventMs.delete(sink);
        sinkLagSeconds.remove({ sink });
      } else sinkEventMs.set(sink, ms);
    },

    setCursorTime(createdAtIso) {
      cursorEventMs = eventTimeMs(createdAtIso);
    },

    observeRequest(status) {
      metrics.requests.inc({ status: String(status) });
      if (status === 429) metrics.rateLimited.inc();
    },

    observeWait(seconds, reason) {
      // A counter cannot go down; a zero or nonsense wait adds nothing.
      if (!(seconds > 0) || !Number.isFinite(seconds)) return;
      metrics.rateLimitWaitSeconds.inc({ reason }, seconds);
    },

    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
