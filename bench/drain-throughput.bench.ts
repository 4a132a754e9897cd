// Drain throughput (figures 1 and 2) and the time to drain a 30-day backlog (figure 6), each next
// to the baseline measured in the same script: the SDK `listEvents` loop from WorkOS's guide.
//   npm run bench -- drain-throughput          (or: npx tsx bench/drain-throughput.bench.ts)
// BENCH_EVENTS (default 50000) scales figure 1, BENCH_NEAR_EVENTS (default 20000) its 5 ms
// variant, BENCH_SLOW_EVENTS (default 10000) figure 2,
// BENCH_RUNS (default 5) the rounds per figure (medians are reported, after one warm-up round).
// Figure 1 also runs the daemon with parts taken away (a sink that does nothing; and a local rate
// budget), to show what the gap to the bare loop is made of.
// The fake WorkOS runs in a child process (bench/support/fake-workos-child.ts) so that serving
// pages costs this process nothing, as the real WorkOS is another machine. BENCH_FAKE=store uses
// the test fake (test/fakes/fake-workos.ts, seeded) instead of the synthetic one.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { WORKOS_EVENT_TYPES } from '../test/fakes/event-catalog.js';
import { runBareLoop } from './support/bare-loop.js';
import { drainWithDaemon, REDIS_URL } from './support/drain-daemon.js';
import { startFakeWorkOSProcess, type FakeWorkOSProcess } from './support/fake-workos-process.js';
import { describeMachine } from './support/machine.js';
import { median } from './support/percentiles.js';
import { nullSink } from './support/null-sink.js';
import { recordingSink } from './support/recording-sink.js';
import { runSdkLoop, type LoopResult } from './support/sdk-loop.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const SLOW_EVENTS = Number(process.env.BENCH_SLOW_EVENTS ?? 10_000);
const NEAR_EVENTS = Number(process.env.BENCH_NEAR_EVENTS ?? 20_000);
const NEAR_MS = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FAKE = process.env.BENCH_FAKE === 'store' ? 'store' : 'synthetic';
const API_KEY = 'sk_test_bench';
const LATENCY_MS = 50;
const SINK_MS = 50;
const BACKLOG = 1_000_000;
/** The baseline asks for every known type (SDK 11's listEvents wants an `events` filter). */
const SDK_TYPES = WORKOS_EVENT_TYPES;

const dir = await mkdtemp(join(tmpdir(), 'wes-bench-'));
let file = 0;
const rate = (r: LoopResult) => r.events / r.seconds;
/** Runs with a fresh output file, deleted after (a million lines would otherwise pile up). */
async function intoFile(name: string, run: (path: string) => Promise<LoopResult>): Promise<LoopResult> {
  const path = join(dir, `${name}-${file++}.jsonl`);
  try {
    return await run(path);
  } finally {
    await rm(path, { force: true });
  }
}
const admin = new Redis(REDIS_URL);
/** One baseline drain from the start, with a fresh cursor key, deleted after. */
async function baseline(fake: FakeWorkOSProcess, processing: { outPath: string } | { processMs: number }): Promise<LoopResult> {
  const cursorKey = `wes-bench:sdk-loop:${process.pid}:${file++}`;
  try {
    return await runSdkLoop({ baseUrl: fake.url, apiKey: API_KEY, redisUrl: REDIS_URL, cursorKey, eventTypes: SDK_TYPES, ...processing });
  } finally {
    await admin.del(cursorKey);
  }
}

interface Measured {
  /** Median events/s. */
  readonly rate: number;
  /** Median CPU of this process during the loop (every thread: the event loop, libuv's pool, GC) per page, ms. */
  readonly cpuPerPage: number;
}

/** Runs each loop once to warm up, then RUNS rounds of all of them, interleaved; returns the medians of each. */
async function rounds(loops: Record<string, () => Promise<LoopResult>>): Promise<Record<string, Measured>> {
  const rates: Record<string, number[]> = {};
  const cpus: Record<string, number[]> = {};
  for (let round = 0; round <= RUNS; round++) {
    for (const [name, loop] of Object.entries(loops)) {
      const result = await loop();
      if (round === 0) continue;
      (rates[name] ??= []).push(rate(result));
      (cpus[name] ??= []).push(result.cpuMs / result.pages);
    }
  }
  return Object.fromEntries(Object.keys(loops).map((name) => [name, { rate: median(rates[name]!), cpuPerPage: median(cpus[name]!) }]));
}

const machine = describeMachine();

// Figure 1: zero latency, the jsonl sink (fdatasync per page) and the Redis cursor.
const fast = await startFakeWorkOSProcess(FAKE, EVENTS, API_KEY);
const fig1 = await rounds({
  bare: () => runBareLoop(fast.url, API_KEY),
  ours: () => intoFile('ours', (jsonlPath) => drainWithDaemon({ baseUrl: fast.url, apiKey: API_KEY, jsonlPath, requests: EVENTS / 100 + 2 })),
  baseline: () => intoFile('baseline', (outPath) => baseline(fast, { outPath })),
  noSink: () => drainWithDaemon({ baseUrl: fast.url, apiKey: API_KEY, sinks: [nullSink()], requests: EVENTS / 100 + 2 }),
  noSinkLocalBudget: () => drainWithDaemon({ baseUrl: fast.url, apiKey: API_KEY, sinks: [nullSink()], sharedBudget: false, requests: EVENTS / 100 + 2 }),
});
await fast.close();

// Figure 1 again with NEAR_MS per request (an API in the same region): what the gap is made of.
const near = await startFakeWorkOSProcess(FAKE, NEAR_EVENTS, API_KEY);
await near.setLatency(NEAR_MS);
const fig1near = await rounds({
  bare: () => runBareLoop(near.url, API_KEY),
  ours: () => intoFile('ours', (jsonlPath) => drainWithDaemon({ baseUrl: near.url, apiKey: API_KEY, jsonlPath, requests: NEAR_EVENTS / 100 + 2 })),
  baseline: () => intoFile('baseline', (outPath) => baseline(near, { outPath })),
});
await near.close();
await rm(dir, { recursive: true, force: true });

// Figure 2: 50 ms per API request and a sink that takes 50 ms per page.
const slow = await startFakeWorkOSProcess(FAKE, SLOW_EVENTS, API_KEY);
await slow.setLatency(LATENCY_MS);
const fig2 = await rounds({
  ours: () => drainWithDaemon({ baseUrl: slow.url, apiKey: API_KEY, sinks: [recordingSink(SINK_MS)], requests: SLOW_EVENTS / 100 + 2 }),
  baseline: () => baseline(slow, { processMs: SINK_MS }),
});
await slow.close();
await admin.quit();

const x = (value: number) => `${value.toFixed(2)}x`;
const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ms = (value: number) => `${value.toFixed(2)} ms`;
console.log(`Machine: ${machine}. Fake WorkOS: ${FAKE}, in a child process. Medians of ${RUNS} rounds after a warm-up.\n`);
/** `target`: the least share of the bare loop's rate asked for (issue 14: 0.95x at 5 ms; none at 0 ms). */
const fig1Table = (title: string, f: Record<string, Measured>, target?: number) => {
  console.log(`### ${title}\n`);
  console.log('| loop | events/s | vs baseline | vs bare loop (ceiling) | CPU per page | CPU vs baseline |\n|---|---|---|---|---|---|');
  console.log(`| bare loop: fetch + JSON.parse only (ceiling) | ${n(f.bare!.rate)} | ${x(f.bare!.rate / f.baseline!.rate)} | 1.00x | ${ms(f.bare!.cpuPerPage)} | ${x(f.bare!.cpuPerPage / f.baseline!.cpuPerPage)} |`);
  console.log(`| baseline: SDK listEvents loop, appendFile (no fsync) + redis SET per page | ${n(f.baseline!.rate)} | 1.00x | ${x(f.baseline!.rate / f.bare!.rate)} | ${ms(f.baseline!.cpuPerPage)} | 1.00x |`);
  const goal = target === undefined ? '' : ` (target >= ${x(target)})`;
  console.log(`| workos-events-sync: jsonl sink (flushed to disk per page) + Redis cursor | ${n(f.ours!.rate)} | ${x(f.ours!.rate / f.baseline!.rate)} | **${x(f.ours!.rate / f.bare!.rate)}**${goal} | ${ms(f.ours!.cpuPerPage)} | **${x(f.ours!.cpuPerPage / f.baseline!.cpuPerPage)}** (target <= 1.00x) |`);
};
fig1Table(`Figure 1: drain throughput, zero-latency API, ${n(EVENTS)} events`, fig1);
console.log('\nWhat the gap to the bare loop is made of (the daemon with parts taken away):\n');
console.log('| daemon | events/s | vs bare loop | CPU per page |\n|---|---|---|---|');
for (const [name, label] of [['ours', 'as above: jsonl sink, shared budget in Redis'], ['noSink', 'a sink that does nothing, shared budget'], ['noSinkLocalBudget', 'a sink that does nothing, local budget']] as const) {
  console.log(`| ${label} | ${n(fig1[name]!.rate)} | ${x(fig1[name]!.rate / fig1.bare!.rate)} | ${ms(fig1[name]!.cpuPerPage)} |`);
}
console.log('');
fig1Table(`Figure 1 with ${NEAR_MS} ms per API request, ${n(NEAR_EVENTS)} events`, fig1near, 0.95);

console.log(`\n### Figure 2: ${LATENCY_MS} ms per API request, a sink taking ${SINK_MS} ms per page, ${n(SLOW_EVENTS)} events\n`);
console.log('| loop | events/s | vs baseline |\n|---|---|---|');
console.log(`| baseline: SDK listEvents loop, ${SINK_MS} ms processing + redis SET per page | ${n(fig2.baseline!.rate)} | 1.00x |`);
console.log(`| workos-events-sync: prefetches page N+1 while the sink writes page N | ${n(fig2.ours!.rate)} | **${x(fig2.ours!.rate / fig2.baseline!.rate)}** (target >= 1.80x) |`);

// Figure 6: computed. The budget lets `burst` requests out at once, then one every 60/rpm s;
// fetching and writing run alongside the budget's waits, so the slower of the two sets the time.
const requests = Math.ceil(BACKLOG / 100) + 1;
const budgetSeconds = (rpm: number) => Math.max(0, requests - Math.max(1, Math.ceil((rpm / 60) * 5))) / (rpm / 60);
const drainSeconds = (eventsPerSecond: number, rpm: number | undefined) => Math.max(BACKLOG / eventsPerSecond, rpm ? budgetSeconds(rpm) : 0);
const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;
// WorkOS itself allows 6,000 requests a minute per key: a loop without a budget cannot go faster either (429s).
const workosFloor = requests / 100;
const rows: [string, number, number][] = [
  ['baseline (no client budget; WorkOS allows 6,000 req/min per key)', Math.max(drainSeconds(fig1.baseline!.rate, undefined), workosFloor), Math.max(drainSeconds(fig2.baseline!.rate, undefined), workosFloor)],
  ['workos-events-sync, default budget (600 req/min)', drainSeconds(fig1.ours!.rate, 600), drainSeconds(fig2.ours!.rate, 600)],
  ['workos-events-sync, rateLimit.requestsPerMinute 6000 (the max)', drainSeconds(fig1.ours!.rate, 6000), drainSeconds(fig2.ours!.rate, 6000)],
];
const [base1, base2] = [rows[0]![1], rows[0]![2]];
console.log(`\n### Figure 6: time to drain a 30-day backlog of ${n(BACKLOG)} events (${n(requests)} requests), computed from figures 1 and 2\n`);
console.log('| loop | zero-latency API, jsonl sink | vs baseline | 50 ms API, 50 ms sink | vs baseline |\n|---|---|---|---|---|');
for (const [name, a, b] of rows) console.log(`| ${name} | ${minutes(a)} | ${x(base1 / a)} | ${minutes(b)} | ${x(base2 / b)} |`);
console.log(`\nThe default budget alone needs ${minutes(budgetSeconds(600))} (${n(requests)} requests at 10/s after a burst of 50); at 6000/min, ${minutes(budgetSeconds(6000))}.`);
