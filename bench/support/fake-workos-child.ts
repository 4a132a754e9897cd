// The fake WorkOS in a process of its own, so that its CPU and memory (a million events, the
// JSON it serialises) are never counted as the client's, as the real WorkOS is another machine.
// Started by fake-workos-process.ts; speaks over the IPC channel:
//   child -> parent  { type: 'ready', url, seedMs }      once listening with the backlog in place
//   parent -> child  { type: 'latency', ms }             every answer from then on waits `ms`
//   child -> parent  { type: 'latency', ms }             acknowledged
// It exits when the parent disconnects.
//   argv: <mode: store | synthetic> <events> <apiKey>
import { startFakeWorkOS } from '../../test/fakes/fake-workos.js';
import { seedBacklog } from '../../test/fakes/seed-backlog.js';
import { startSyntheticWorkOS } from './synthetic-workos.js';

const [mode = 'store', eventsArg = '10000', apiKey = 'sk_test_bench'] = process.argv.slice(2);
const events = Number(eventsArg);
const DAY_MS = 86_400_000;
const started = performance.now();
// A 30-day backlog: the oldest event a little under 30 days old, the newest a moment ago.
const startMs = Date.now() - 29.5 * DAY_MS;
const spacingMs = Math.max(1, Math.floor((29 * DAY_MS) / Math.max(1, events)));

let server: { url: string; latencyMs: number; close(): Promise<void> };
if (mode === 'synthetic') {
  server = await startSyntheticWorkOS({ events, apiKey, startMs, spacingMs });
} else {
  const fake = await startFakeWorkOS({ apiKey });
  seedBacklog(fake, events, { start: new Date(startMs), spacingMs });
  server = fake;
}
process.send!({ type: 'ready', url: server.url, seedMs: performance.now() - started });
process.on('message', (message: { type: string; ms: number }) => {
  if (message.type !== 'latency') return;
  server.latencyMs = message.ms;
  process.send!({ type: 'latency', ms: message.ms });
});
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
