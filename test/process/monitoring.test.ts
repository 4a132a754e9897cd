import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { seedBacklog } from '../fakes/seed-backlog.js';
import { spawnCli, type CliProcess } from '../support/cli-process.js';
import { waitForEvents } from '../support/harness.js';
import { MONITORING_DOC, referencedMetricNames } from '../support/monitoring-files.js';
import { deliverWebhook } from '../support/webhook-delivery.js';
import { useWorld } from '../support/world.js';

const SECRET = 'whsec_test_monitoring_0123456789';
const w = useWorld({ pageSize: 50, schedule: '* * * * * *', leader: { ttlMs: 1000, renewIntervalMs: 300 } });
const running: CliProcess[] = [];

afterEach(async () => {
  for (const p of running.splice(0)) {
    if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await p.exited;
  }
});

/** The names of the samples in an exposition: what PromQL can select (`_bucket`, `_sum`, `_count`, `_total` included). */
function sampleNames(body: string): Set<string> {
  return new Set(body.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => /^[A-Za-z_:][\w:]*/.exec(l)![0]));
}

/** Metric families by `# TYPE` line: name -> type. */
function families(body: string): Map<string, string> {
  return new Map([...body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/**
 * A deployment that shows every kind of series the alerts and the dashboard read: a sink that
 * accepts, one that halts (a full disk), one that dead-letters everything, a 429 from WorkOS, a
 * webhook delivery.
 */
async function scrapeAfterEverything(): Promise<string> {
  await w.writeConfig({
    pageSize: 50,
    schedule: '* * * * * *',
    retry: { maxAttempts: 2, minDelayMs: 20, maxDelayMs: 200 },
    sinks: [
      { type: 'jsonl', name: 'archive', path: w.eventsFile },
      // A position from the start (not "earliest", which has none until the first commit), so that the
      // deployment's cursor age is known although this sink never accepts a page.
      { type: 'jsonl', name: 'full-disk', path: '/dev/full', startFrom: new Date(Date.now() - 2 * 3_600_000).toISOString() },
      { type: 'jsonl', name: 'poison', path: '/dev/full', onFailure: 'dead-letter', maxAttempts: 1 },
    ],
  });
  seedBacklog(w.fake, 120, { seed: 91, start: new Date(Date.now() - 3_600_000) });
  w.fake.script({ kind: 'passthrough' }, { status: 429, json: { message: 'Too Many Requests' }, headers: { 'Retry-After': '1' } });
  const p = spawnCli(['run', '--config', w.configPath], { ...w.env, WORKOS_WEBHOOK_SECRET: SECRET });
  running.push(p);
  const url = await p.httpUrl();
  await waitForEvents(w.eventsFile, 120);
  await p.waitForLog('sink halted');
  await p.waitForLog('dead-lettered events the sink would not accept');
  expect((await deliverWebhook(`${url}/webhooks/workos`, w.fake.events.at(-1)!, SECRET)).status).toBe(200);
  // The sinks move on their own: scrape until all of it has happened (the test then says what did not).
  const wanted = [...referencedMetricNames().keys()];
  const settled = (body: string) => {
    const names = sampleNames(body);
    return wanted.every((n) => names.has(n))
      && sample(body, 'workos_events_sync_dead_letters_total{sink="poison"}') === 120
      && (sample(body, 'workos_events_sync_sink_consecutive_drain_failures{sink="full-disk"}') ?? 0) >= 1;
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    const body = await (await fetch(`${url}/metrics`)).text();
    if (settled(body) || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the monitoring kit against the real /metrics', () => {
  it('selects in the alerts and the dashboard only metrics the daemon exposes, documents every metric it exposes, and passes promtool check metrics', { timeout: 60_000 }, async () => {
    const body = await scrapeAfterEverything();
    const names = sampleNames(body);
    const types = families(body);

    // Alerts and panels select samples: a histogram is only its _bucket, _sum and _count, a counter its _total.
    const missing = [...referencedMetricNames()]
      .filter(([name]) => !names.has(name))
      .map(([name, uses]) => `${name} (${uses.join(', ')})${types.get(name) === 'histogram' ? ': a histogram; select _bucket, _sum or _count' : ''}`);
    expect(missing, 'selected but not exposed').toEqual([]);

    // The series the alerts stand on, as this deployment made them.
    expect(sample(body, 'workos_events_sync_sink_halted{sink="full-disk"}')).toBe(1);
    expect(sample(body, 'workos_events_sync_sink_halted{sink="archive"}')).toBe(0);
    expect(sample(body, 'workos_events_sync_sink_consecutive_drain_failures{sink="full-disk"}')).toBeGreaterThanOrEqual(1);
    expect(sample(body, 'workos_events_sync_sink_consecutive_drain_failures{sink="archive"}')).toBe(0);
    expect(sample(body, 'workos_events_sync_sink_last_caught_up_timestamp_seconds{sink="archive"}')).toBeGreaterThan(0);
    expect(sample(body, 'workos_events_sync_sink_last_caught_up_timestamp_seconds{sink="full-disk"}')).toBeUndefined();
    expect(sample(body, 'workos_events_sync_dead_letters_total{sink="poison"}')).toBe(120);
    expect(sample(body, 'workos_events_sync_dead_letters_total{sink="archive"}')).toBe(0);
    expect(sample(body, 'workos_events_sync_rate_limited_total')).toBe(1);

    // Prometheus's own linter on the exposition (names, units, suffixes, help).
    // Its only complaints are about prom-client's Node defaults (gauges named *_total), not ours.
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    if (lint.error) throw new Error(`promtool could not run (${lint.error.message}): apt-get install --no-install-recommends prometheus`);
    const problems = `${lint.stdout}${lint.stderr}`.split('\n').filter((l) => l.trim() !== '');
    expect(problems.filter((l) => !/^workos_events_sync_nodejs_\w+ /.test(l.trim())), 'promtool check metrics').toEqual([]);

    // Every family is in docs/monitoring.md; Node's defaults are documented as one row.
    const doc = await readFile(MONITORING_DOC, 'utf8');
    const undocumented = [...types.keys()].filter((name) =>
      /^workos_events_sync_(process|nodejs)_/.test(name) ? false : !doc.includes(`\`${name}\``));
    expect(undocumented, 'exposed but not in docs/monitoring.md').toEqual([]);

  });
});
