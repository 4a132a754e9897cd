import { describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/observability/metrics.js';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');

/** The value of one sample line of the exposition, or undefined when the series is absent. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  it('counts a committed page once and its events per sink and event type', async () => {
    const metrics = createMetrics({ now: () => T0, defaultMetrics: false });
    metrics.observeCommit(
      [
        { event: 'user.created', created_at: '2026-03-01T11:59:00.000Z' },
        { event: 'user.created', created_at: '2026-03-01T11:59:01.000Z' },
        { event: 'dsync.user.updated', created_at: '2026-03-01T11:59:02.000Z' },
      ],
      ['archive', 'stdout'],
    );
    metrics.observeCommit([{ event: 'user.created', created_at: '2026-03-01T11:59:03.000Z' }], ['archive', 'stdout']);
    const { body } = await metrics.render();
    expect(sample(body, 'workos_events_sync_pages_total')).toBe(2);
    expect(sample(body, 'workos_events_sync_events_delivered_total{sink="archive",event_type="user.created"}')).toBe(3);
    expect(sample(body, 'workos_events_sync_events_delivered_total{sink="stdout",event_type="user.created"}')).toBe(3);
    expect(sample(body, 'workos_events_sync_events_delivered_total{sink="stdout",event_type="dsync.user.updated"}')).toBe(1);
    expect(sample(body, 'workos_events_sync_last_commit_timestamp_seconds')).toBe(T0 / 1000);
  });

  it('has no lag sample until the first commit, then computes the lag when scraped', async () => {
    let clock = T0;
    const metrics = createMetrics({ now: () => clock, defaultMetrics: false });
    expect(sample((await metrics.render()).body, 'workos_events_sync_lag_seconds')).toBeUndefined();

    metrics.observeCommit([{ event: 'user.created', created_at: '2026-03-01T11:59:50.000Z' }], ['stdout']);
    expect(sample((await metrics.render()).body, 'workos_events_sync_lag_seconds')).toBe(10);
    // Nothing committed since: a stalled daemon shows a lag that keeps growing.
    clock += 30_000;
    expect(sample((await metrics.render()).body, 'workos_events_sync_lag_seconds')).toBe(40);
  });

  it('computes the cursor age from the stored cursor when scraped, in either WorkOS time format', async () => {
    let clock = T0;
    const metrics = createMetrics({ now: () => clock, defaultMetrics: false });
    expect(sample((await metrics.render()).body, 'workos_events_sync_cursor_age_seconds')).toBeUndefined();

    metrics.setCursorTime('2026-03-01 11:58:00.000');
    expect(sample((await metrics.render()).body, 'workos_events_sync_cursor_age_seconds')).toBe(120);
    clock += 5_000;
    expect(sample((await metrics.render()).body, 'workos_events_sync_cursor_age_seconds')).toBe(125);

    metrics.observeCommit([{ event: 'user.created', created_at: '2026-03-01T12:00:04.000Z' }], ['stdout']);
    expect(sample((await metrics.render()).body, 'workos_events_sync_cursor_age_seconds')).toBe(1);

    metrics.setCursorTime(null);
    expect(sample((await metrics.render()).body, 'workos_events_sync_cursor_age_seconds')).toBeUndefined();
  });

  it('never reports a negative age when the event time is ahead of the local clock', async () => {
    const metrics = createMetrics({ now: () => T0, defaultMetrics: false });
    metrics.setCursorTime('2026-03-01T12:00:03.000Z');
    expect(sample((await metrics.render()).body, 'workos_events_sync_cursor_age_seconds')).toBe(0);
  });

  it('counts requests by status and 429s as rate limited, and sums waits by reason', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.observeRequest(200);
    metrics.observeRequest(429);
    metrics.observeRequest(429);
    metrics.observeRequest('network');
    metrics.observeWait(1.5, 'retry_after');
    metrics.observeWait(0.25, 'retry_after');
    metrics.observeWait(0, 'budget');
    metrics.observeWait(Number.NaN, 'budget');
    const { body } = await metrics.render();
    expect(sample(body, 'workos_events_sync_requests_total{status="200"}')).toBe(1);
    expect(sample(body, 'workos_events_sync_requests_total{status="429"}')).toBe(2);
    expect(sample(body, 'workos_events_sync_requests_total{status="network"}')).toBe(1);
    expect(sample(body, 'workos_events_sync_rate_limited_total')).toBe(2);
    expect(sample(body, 'workos_events_sync_rate_limit_wait_seconds_total{reason="retry_after"}')).toBe(1.75);
    expect(sample(body, 'workos_events_sync_rate_limit_wait_seconds_total{reason="budget"}')).toBe(0);
  });

  it('renders every instrument under the workos_events_sync_ prefix with the Prometheus content type', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    metrics.sinkWriteDuration.observe({ sink: 'archive' }, 0.004);
    metrics.sinkHalted.set({ sink: 'archive' }, 0);
    const { contentType, body } = await metrics.render();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of [
      'events_delivered_total', 'pages_total', 'requests_total', 'rate_limited_total', 'rate_limit_wait_seconds_total',
      'retries_total', 'drain_failures_total', 'lag_seconds', 'cursor_age_seconds', 'cursor_stale', 'order_violations_total',
      'sink_write_duration_seconds', 'sink_halted', 'dead_letters_total', 'leader', 'last_commit_timestamp_seconds',
    ]) {
      expect(body).toContain(`# TYPE workos_events_sync_${name} `);
    }
    expect(body).toContain('workos_events_sync_sink_write_duration_seconds_bucket{le="0.005",sink="archive"} 1');
  });

  it('keeps two instances apart, each in its own registry', async () => {
    const a = createMetrics({ defaultMetrics: false });
    const b = createMetrics({ defaultMetrics: false });
    a.pages.inc(3);
    expect(sample((await a.render()).body, 'workos_events_sync_pages_total')).toBe(3);
    expect(sample((await b.render()).body, 'workos_events_sync_pages_total')).toBe(0);
  });

  it('collects the default Node metrics under the same prefix unless told not to', async () => {
    const withDefaults = createMetrics();
    expect((await withDefaults.render()).body).toContain('workos_events_sync_process_cpu_user_seconds_total');
    expect((await createMetrics({ defaultMetrics: false }).render()).body).not.toContain('process_cpu');
  });
});
