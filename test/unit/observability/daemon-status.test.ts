import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { WesError } from '../../../src/errors.js';
import { DaemonStatus } from '../../../src/observability/daemon-status.js';
import { createMetrics } from '../../../src/observability/metrics.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const logger = pino({ level: 'silent' });

/** The value of one sample line of the exposition, or undefined when the series is absent. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function statusWith(sinks: readonly string[], clock: { now: number }) {
  const metrics = createMetrics({ now: () => clock.now, defaultMetrics: false });
  const status = new DaemonStatus(metrics, logger, 29 * 86_400_000, () => clock.now, 'single', sinks);
  const scrape = async () => (await metrics.render()).body;
  return { status, scrape };
}

const unavailable = () => new WesError('WES_ERR_SINK_UNAVAILABLE', 'the sink is down');

describe('the daemon status as metrics', () => {
  it('exposes every configured sink from the start: not halted, no failures, no dead letters', async () => {
    const { scrape } = statusWith(['archive', 'webhook'], { now: T0 });
    const body = await scrape();
    for (const sink of ['archive', 'webhook']) {
      expect(sample(body, `workos_events_sync_sink_halted{sink="${sink}"}`)).toBe(0);
      expect(sample(body, `workos_events_sync_sink_consecutive_drain_failures{sink="${sink}"}`)).toBe(0);
      expect(sample(body, `workos_events_sync_dead_letters_total{sink="${sink}"}`)).toBe(0);
    }
    // Not caught up yet: absent, rather than a time that would claim it was.
    expect(body).not.toContain('workos_events_sync_sink_last_caught_up_timestamp_seconds{');
  });

  it("counts a sink's failed drains in a row and starts again from zero once one ends well", async () => {
    const clock = { now: T0 };
    const { status, scrape } = statusWith(['archive', 'webhook'], clock);
    status.laneFinished('archive', unavailable());
    status.laneFinished('archive', unavailable());
    status.laneFinished('webhook');
    status.laneFinished('archive', unavailable());
    let body = await scrape();
    expect(sample(body, 'workos_events_sync_sink_consecutive_drain_failures{sink="archive"}')).toBe(3);
    expect(sample(body, 'workos_events_sync_sink_consecutive_drain_failures{sink="webhook"}')).toBe(0);
    expect(sample(body, 'workos_events_sync_drain_failures_total{code="WES_ERR_SINK_UNAVAILABLE"}')).toBe(3);

    clock.now += 60_000;
    status.laneFinished('archive');
    body = await scrape();
    expect(sample(body, 'workos_events_sync_sink_consecutive_drain_failures{sink="archive"}')).toBe(0);
  });

  it('does not count a lost leader lease as a failure of the sink', async () => {
    const { status, scrape } = statusWith(['archive'], { now: T0 });
    status.laneFinished('archive', unavailable());
    status.laneFinished('archive', new WesError('WES_ERR_LEASE_LOST', 'the lease ran out by this instance’s own clock'));
    expect(sample(await scrape(), 'workos_events_sync_sink_consecutive_drain_failures{sink="archive"}')).toBe(1);
  });

  it('records when each sink last caught up, and keeps that time while its drains fail', async () => {
    const clock = { now: T0 };
    const { status, scrape } = statusWith(['archive', 'webhook'], clock);
    status.laneFinished('archive');
    clock.now += 30_000;
    status.laneFinished('webhook');
    clock.now += 30_000;
    status.laneFinished('archive', unavailable());
    const body = await scrape();
    expect(sample(body, 'workos_events_sync_sink_last_caught_up_timestamp_seconds{sink="archive"}')).toBe(T0 / 1000);
    expect(sample(body, 'workos_events_sync_sink_last_caught_up_timestamp_seconds{sink="webhook"}')).toBe(T0 / 1000 + 30);
  });
});
