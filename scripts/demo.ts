// `npm run demo`: the real daemon against a local fake WorkOS serving a live stream of realistic
// events, with the file cursor store and the stdout sink. No WorkOS account, no Redis.
//   npm run demo                 runs until Ctrl-C
//   npm run demo -- --seconds 20 stops by itself
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEventFactory } from '../test/fakes/event-factory.js';
import { startFakeWorkOS } from '../test/fakes/fake-workos.js';
import { seedBacklog } from '../test/fakes/seed-backlog.js';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, port: { type: 'string', default: '4100' } } });
const API_KEY = 'sk_test_demo';

async function startFake() {
  try {
    return await startFakeWorkOS({ apiKey: API_KEY, port: Number(values.port) });
  } catch {
    return startFakeWorkOS({ apiKey: API_KEY }); // the port is taken: any free one will do
  }
}

const fake = await startFake();
const factory = createEventFactory(Date.now() % 100_000);
// A backlog from the last hour, as after a deploy: the first drain catches up on it.
seedBacklog(fake, 40, { factory, start: new Date(Date.now() - 3_600_000), spacingMs: 60_000 });
// Then live traffic: one to three events every second or two.
const live = setInterval(() => {
  const n = 1 + Math.floor(Math.random() * 3);
  for (let i = 0; i < n; i++) {
    const next = factory.next(new Date());
    fake.addEvent(next.type, next.data, next.organizationId ? { organizationId: next.organizationId } : {});
  }
}, 1500);

const dir = await mkdtemp(join(tmpdir(), 'workos-events-sync-demo-'));
const configPath = join(dir, 'config.json');
await writeFile(configPath, JSON.stringify({
  workos: { baseUrl: fake.url },
  schedule: '*/2 * * * * *',
  cursor: { store: 'file', path: join(dir, 'cursor.json') },
  sinks: [{ type: 'stdout' }],
  // Any free port: the "http server listening" log line tells which (/healthz, /readyz, /metrics).
  http: { host: '127.0.0.1', port: 0 },
}, null, 2));

process.stderr.write(`
workos-events-sync demo
  fake WorkOS   ${fake.url} (40 events of backlog, then new ones every ~1.5 s)
  config        ${configPath}
  cursor        ${join(dir, 'cursor.json')}
  events go to standard output as JSON lines, logs to standard error. Ctrl-C to stop.

`);

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const daemon = spawn(process.execPath, [cli, 'run', '--config', configPath], {
  stdio: 'inherit',
  env: { ...process.env, WORKOS_API_KEY: API_KEY, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  daemon.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
if (values.seconds) setTimeout(stop, Number(values.seconds) * 1000).unref();

const code = await new Promise<number | null>((resolve) => daemon.on('exit', resolve));
clearInterval(live);
await fake.close();
process.stderr.write(`\ndemo finished: the daemon exited with ${code}; ${fake.events.length} events were created, the cursor is in ${join(dir, 'cursor.json')}\n`);
process.exitCode = code ?? 1;
