// Event-to-sink latency with the webhook doorbell, next to polling alone, in one script.
//   npm run bench -- webhook-latency            (or: npx tsx bench/webhook-latency.bench.ts)
// Both runs use the same daemon, fake WorkOS and a 1 s schedule; events are created at random
// moments. Latency = sink arrival minus the moment the event was created at the fake.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pino } from 'pino';
import { parseConfig } from '../src/config/load.js';
import { createDaemon } from '../src/daemon.js';
import { createEventFactory } from '../test/fakes/event-factory.js';
import { startFakeWorkOS } from '../test/fakes/fake-workos.js';
import { deliverWebhook } from '../test/support/webhook-delivery.js';
import { median, percentile } from './support/percentiles.js';
import { recordingSink } from './support/recording-sink.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 40);
const SECRET = 'whsec_bench';

async function measure(withWebhook: boolean): Promise<number[]> {
  const fake = await startFakeWorkOS({ apiKey: 'sk_test_bench' });
  const dir = await mkdtemp(join(tmpdir(), 'wes-bench-'));
  const config = parseConfig({
    workos: { baseUrl: fake.url },
    schedule: '* * * * * *',
    cursor: { store: 'file', path: join(dir, 'cursor.json') },
    http: { host: '127.0.0.1', port: 0 },
    sinks: [{ type: 'stdout' }],
  }, {});
  const sink = recordingSink();
  const daemon = createDaemon({ config, apiKey: 'sk_test_bench', logger: pino({ level: 'silent' }), stdout: new PassThrough(), sinks: [sink], serveHttp: true, webhookSecret: SECRET });
  await daemon.open();
  daemon.start();
  await new Promise((r) => setTimeout(r, 1200));
  const hook = `${daemon.http!.url}/webhooks/workos`;
  const factory = createEventFactory(7);
  const created = new Map<string, number>();
  for (let i = 0; i < EVENTS; i++) {
    await new Promise((r) => setTimeout(r, 150 + Math.random() * 700));
    const next = factory.next(new Date());
    const stored = fake.addEvent(next.type, next.data);
    created.set(stored.id, performance.now());
    if (withWebhook) void deliverWebhook(hook, stored, SECRET);
  }
  const deadline = Date.now() + 5000;
  while (sink.arrivals.size < EVENTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await daemon.stop();
  await fake.close();
  return [...created].map(([id, at]) => (sink.arrivals.get(id) ?? Number.NaN) - at);
}

const polling = await measure(false);
const webhook = await measure(true);
const row = (name: string, values: number[]) => `| ${name} | ${median(values).toFixed(0)} ms | ${percentile(values, 99).toFixed(0)} ms | ${values.filter(Number.isNaN).length} |`;
console.log(`Event-to-sink latency, ${EVENTS} events, schedule every 1 s\n`);
console.log('| mode | median | p99 | not delivered |\n|---|---|---|---|');
console.log(row('polling only (baseline)', polling));
console.log(row('webhook doorbell', webhook));
console.log(`\nmedian ratio (polling / webhook): ${(median(polling) / median(webhook)).toFixed(1)}x faster with the doorbell`);
