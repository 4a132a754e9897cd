import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { createMetrics, type Metrics } from '../../../src/observability/metrics.js';
import { createScheduledReconcile, type ScheduledReconcileOptions } from '../../../src/reconcile/scheduled-reconcile.js';
import type { Sink } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { createLocalRateBudget, type RateBudget } from '../../../src/workos/rate-budget.js';
import { startFakeWorkOS, type FakeWorkOS } from '../../fakes/fake-workos.js';
import { applyLifecycle } from '../../fakes/lifecycle.js';
import { API_KEY, captureLogger } from '../../support/harness.js';
import { mirrorSink, newMirrorSchema } from '../../support/mirror-schema.js';
import { POSTGRES_URL } from '../../support/services.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
let fake: FakeWorkOS;
let schema: string;
let sink: Sink;
let metrics: Metrics;
let shared: RateBudget;
let sharedTakes: number;

beforeEach(async () => {
  fake = await startFakeWorkOS();
  schema = newMirrorSchema('wes_scheduled_reconcile');
  sink = mirrorSink(schema);
  const events = applyLifecycle(fake, 600, { seed: 5, start: '2026-03-01T00:00:00.000Z', spacingMs: 1000 });
  for (let i = 0; i < events.length; i += 100) await sink.write({ events: events.slice(i, i + 100) as unknown as WorkOSEvent[] });
  metrics = createMetrics({ defaultMetrics: false });
  const budget = createLocalRateBudget({ requestsPerMinute: 6000 });
  sharedTakes = 0;
  shared = { ...budget, take: (signal) => { sharedTakes++; return budget.take(signal); } };
});
afterEach(async () => {
  await sink.close();
  await shared.close();
  await fake.close();
  await admin.query(`drop schema if exists "${schema}" cascade`);
});
afterAll(async () => {
  await admin.end();
});

function scheduled(reconcile: Record<string, unknown>, extra: Partial<ScheduledReconcileOptions> = {}) {
  const config = parseConfig({ workos: { baseUrl: fake.url }, rateLimit: { requestsPerMinute: 6000 }, sinks: [{ type: 'postgres_mirror', url: POSTGRES_URL, schema }], reconcile: { schedule: '0 */6 * * *', ...reconcile } }, {});
  const { logger, lines } = captureLogger('info');
  const job = createScheduledReconcile({
    config, apiKey: API_KEY, budget: shared, metrics, logger, now: Date.now, sleep: async () => undefined, isLeader: () => true, leadership: () => undefined, ...extra,
  });
  return { job, lines };
}

const metric = async (text: string): Promise<string | undefined> => (await metrics.render()).body.split('\n').find((line) => line.startsWith(text));

describe('reconcile on a schedule', () => {
  it('reports what differs in its metrics and logs, through the daemon\'s budget, and repairs it with reconcile.fix', async () => {
    const [user] = (await admin.query(`select id from "${schema}".users where deleted_at is null order by id limit 1`)).rows as Array<{ id: string }>;
    await admin.query(`update "${schema}".users set email = 'x' where id = $1`, [user!.id]);

    const { job, lines } = scheduled({});
    fake.clearRequests();
    const report = await job.runNow();
    expect(report).toMatchObject({ differing: 1, unfixed: 1 });
    expect(await metric('workos_events_sync_reconcile_differences{table="users"}')).toBe('workos_events_sync_reconcile_differences{table="users"} 1');
    expect(await metric('workos_events_sync_reconcile_differences{table="directory_users"}')).toBe('workos_events_sync_reconcile_differences{table="directory_users"} 0');
    expect(await metric('workos_events_sync_reconcile_runs_total{result="differed"}')).toBe('workos_events_sync_reconcile_runs_total{result="differed"} 1');
    expect(await metric('workos_events_sync_reconcile_running')).toBe('workos_events_sync_reconcile_running 0');
    expect(await metric('workos_events_sync_reconcile_last_run_timestamp_seconds')).toMatch(/ [0-9.e+]+$/);
    expect(await metric('workos_events_sync_reconcile_last_run_duration_seconds')).toMatch(/ [0-9.e+-]+$/);
    expect(lines.find((l) => l['msg'] === 'reconcile: the mirror differs from WorkOS')).toMatchObject({ result: 'differed', differing: { users: 1 } });
    // Every request it made took a token of the daemon's budget.
    expect(sharedTakes).toBe(fake.requests.length);
    expect(sharedTakes).toBeGreaterThan(10);
    await job.stop();

    const fixing = scheduled({ fix: true });
    expect(await fixing.job.runNow()).toMatchObject({ differing: 1, unfixed: 0 });
    expect(await metric('workos_events_sync_reconcile_fixed_rows_total{table="users"}')).toBe('workos_events_sync_reconcile_fixed_rows_total{table="users"} 1');
    expect(await fixing.job.runNow()).toMatchObject({ differing: 0 });
    expect(await metric('workos_events_sync_reconcile_runs_total{result="matched"}')).toBe('workos_events_sync_reconcile_runs_total{result="matched"} 1');
    expect(await metric('workos_events_sync_reconcile_differences{table="users"}')).toBe('workos_events_sync_reconcile_differences{table="users"} 0');
    await fixing.job.stop();
  });

  it('never runs two at once, runs only as leader, and stops a run in progress when told', async () => {
    const { job } = scheduled({});
    const first = job.runNow();
    expect(await job.runNow()).toBeUndefined();
    expect(await first).toMatchObject({ differing: 0 });

    const standby = scheduled({}, { isLeader: () => false });
    fake.clearRequests();
    expect(await standby.job.runNow()).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
    await standby.job.stop();

    // A slow WorkOS: the run is in progress when stop() comes, and ends at once, without a result.
    fake.latencyMs = 200;
    const slow = job.runNow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await job.stop();
    expect(await slow).toBeUndefined();
    expect(await metric('workos_events_sync_reconcile_runs_total{result="failed"}')).toBe('workos_events_sync_reconcile_runs_total{result="failed"} 1');
  });
});
