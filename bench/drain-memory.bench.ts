// CPU time per 1,000 events and peak RSS while draining a backlog of 1,000,000 events (figure 3),
// next to the baseline (the SDK `listEvents` loop from WorkOS's guide) run the same way.
//   npm run bench -- drain-memory              (or: node --import tsx bench/drain-memory.bench.ts; needs `npm run build`)
// BENCH_EVENTS (default 1000000) scales it down. Each loop runs as a child process of its own:
// the daemon is the built CLI (`node dist/cli.js once`, jsonl sink into a temp file, Redis cursor
// with the lease and the shared budget), the baseline is bench/support/sdk-loop.ts under plain
// `node`. bench/support/report-usage.ts, preloaded into both, reports getrusage at exit: user +
// system CPU and ru_maxrss (the kernel's VmHWM, the peak RSS), and V8's heap limit. The fake
// WorkOS is another child (synthetic: each event built from its index), so its million events
// are nobody's RSS.
// Both loops run three times, each with other NODE_OPTIONS:
// - none, as after `npm install -g`: the bin applies its heap flags (src/heap-flags.ts) by
//   starting Node again (process.execve: the same process, so its CPU and peak RSS count both
//   images); the baseline gets Node's defaults;
// - the bin's flags in NODE_OPTIONS, as the Docker image used to set them: the bin adds nothing;
// - a user's own heap size that opts out of the bin's flags and gives Node's own sizing back
//   (see `nodeOwnSizing`), so the table shows what the flags buy.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { rateBudgetKey } from '../src/workos/redis-rate-budget.js';
import { WORKOS_EVENT_TYPES } from '../test/fakes/event-catalog.js';
import { REDIS_URL } from './support/drain-daemon.js';
import { startFakeWorkOSProcess } from './support/fake-workos-process.js';
import { cli, heapOptions, nodeOwnSizing, root } from './support/built-cli.js';
import { describeMachine } from './support/machine.js';
import { measureChild } from './support/measure-child.js';
import type { SdkLoopOptions } from './support/sdk-loop.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const API_KEY = 'sk_test_bench';

interface Usage {
  readonly events: number;
  readonly seconds: number;
  /** user + system CPU, ms */
  readonly cpuMs: number;
  readonly peakRssMb: number;
  /** V8's heap limit in the process that drained, MB. */
  readonly heapLimitMb: number;
}

/** Runs `node --import report-usage.ts ...args` to completion; its CPU and peak RSS come from getrusage at exit. */
async function measure(args: readonly string[], env: Record<string, string>, dir: string): Promise<{ seconds: number; cpuMs: number; peakRssMb: number; heapLimitMb: number; stdout: string }> {
  const result = await measureChild(args, env, dir);
  if (result.code !== 0) throw new Error(`${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result;
}

/** The lines of a file, read as a stream: a million events do not fit a string. */
async function countLines(path: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

async function runDaemon(baseUrl: string, events: number, dir: string, nodeOptions: string): Promise<Usage> {
  // A key of its own per run: a run that found another's position (the deployment's, or a sink's
  // in `<key>:sinks`) would start at the end and measure nothing.
  const run = `wes-bench:memory:${randomUUID()}`;
  const admin = new Redis(REDIS_URL);
  const rateKey = rateBudgetKey(API_KEY);
  await admin.del(rateKey, `${rateKey}:blocked`);
  const config = join(dir, 'config.json');
  const out = join(dir, 'ours.jsonl');
  await writeFile(config, JSON.stringify({
    workos: { baseUrl },
    cursor: { store: 'redis', url: REDIS_URL, key: `${run}:cursor` },
    leader: { key: `${run}:leader` },
    // The budget's pace is figure 6; here the burst covers the whole drain, so the run measures work, not waiting.
    rateLimit: { requestsPerMinute: 6000, burst: Math.ceil(events / 100) + 10 },
    http: { enabled: false },
    sinks: [{ type: 'jsonl', path: out }],
  }));
  try {
    const result = await measure([cli, 'once', '--config', config], { WORKOS_API_KEY: API_KEY, LOG_LEVEL: 'info', NODE_OPTIONS: nodeOptions }, dir);
    const written = await countLines(out);
    if (written !== events) throw new Error(`the daemon wrote ${written} events of ${events} (NODE_OPTIONS "${nodeOptions}")`);
    const { seconds, cpuMs, peakRssMb, heapLimitMb } = result;
    return { events: written, seconds, cpuMs, peakRssMb, heapLimitMb };
  } finally {
    await admin.del(`${run}:cursor`, `${run}:cursor:sinks`, `${run}:leader`, rateKey, `${rateKey}:blocked`);
    await admin.quit();
    await rm(out, { force: true });
  }
}

async function runBaseline(baseUrl: string, dir: string, nodeOptions: string): Promise<Usage> {
  const cursorKey = `wes-bench:memory:${process.pid}:sdk-loop`;
  const options: SdkLoopOptions = {
    baseUrl,
    apiKey: API_KEY,
    redisUrl: REDIS_URL,
    cursorKey,
    // Every known type: SDK 11's listEvents wants an `events` filter.
    eventTypes: WORKOS_EVENT_TYPES,
    outPath: join(dir, 'baseline.jsonl'),
  };
  try {
    const result = await measure([join(root, 'bench/support/sdk-loop.ts'), JSON.stringify(options)], { NODE_OPTIONS: nodeOptions }, dir);
    const { events } = JSON.parse(result.stdout) as { events: number };
    return { events, seconds: result.seconds, cpuMs: result.cpuMs, peakRssMb: result.peakRssMb, heapLimitMb: result.heapLimitMb };
  } finally {
    const admin = new Redis(REDIS_URL);
    await admin.del(cursorKey);
    await admin.quit();
    await rm(join(dir, 'baseline.jsonl'), { force: true });
  }
}

/** The NODE_OPTIONS of each run, and what they mean for each loop. */
const RUNS = [
  { options: '', label: 'none (`npm install -g`): the bin applies its flags; the baseline has Node\'s defaults' },
  { options: heapOptions, label: `\`${heapOptions}\` (what the image set)` },
  { options: nodeOwnSizing, label: `\`${nodeOwnSizing}\`: the user's own size, the bin adds nothing (Node's own sizing)` },
] as const;

const machine = describeMachine();
const startedAt = new Date().toISOString();
const dir = await mkdtemp(join(tmpdir(), 'wes-bench-memory-'));
const small = Math.max(1000, Math.round(EVENTS / 10));
const fake = await startFakeWorkOSProcess('synthetic', EVENTS, API_KEY);
const smallFake = await startFakeWorkOSProcess('synthetic', small, API_KEY);
const results: { name: string; options: string; ours: Usage; baseline: Usage }[] = [];
try {
  for (const { options } of RUNS) {
    const baseline = await runBaseline(fake.url, dir, options);
    const ours = await runDaemon(fake.url, EVENTS, dir, options);
    results.push({ name: 'workos-events-sync once: jsonl sink + Redis cursor', options, ours, baseline });
    results.push({ name: 'the same, a backlog 10 times smaller', options, ours: await runDaemon(smallFake.url, small, dir, options), baseline });
  }
} finally {
  await fake.close();
  await smallFake.close();
  await rm(dir, { recursive: true, force: true });
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const perThousand = (u: Usage) => (u.cpuMs / u.events) * 1000;
// A smaller backlog spreads the start-up (about a second of CPU) over fewer events: its CPU is not compared.
const row = (name: string, label: string, u: Usage, base: Usage) =>
  `| ${name} | ${label} | ${n(u.heapLimitMb)} MB | ${n(u.events)} | ${perThousand(u).toFixed(1)} ms | ${u.events < base.events / 2 ? '-' : `${(perThousand(u) / perThousand(base)).toFixed(2)}x`} | ${u.peakRssMb.toFixed(0)} MB | ${(u.peakRssMb / base.peakRssMb).toFixed(2)}x | ${u.seconds.toFixed(1)} s |`;
console.log(`Machine: ${machine}; started ${startedAt}. Each loop is a child process; CPU = user + system of the whole process, start-up included.\n`);
console.log(`### Figure 3: CPU per 1,000 events and peak RSS, draining ${n(EVENTS)} events\n`);
console.log('| loop | NODE_OPTIONS | V8 heap limit | events | CPU per 1,000 events | vs baseline | peak RSS | vs baseline | wall time |\n|---|---|---|---|---|---|---|---|---|');
for (const { options, label } of RUNS) {
  const mine = results.filter((r) => r.options === options);
  const base = mine[0]!.baseline;
  console.log(row('baseline: SDK listEvents loop, appendFile + redis SET per page', label, base, base));
  for (const r of mine) console.log(row(r.name, label, r.ours, base));
}
const ours = (options: string, index: number) => results.filter((r) => r.options === options)[index]!.ours;
const npm = ours('', 0);
const own = ours(nodeOwnSizing, 0);
console.log(`\nWith no NODE_OPTIONS (npm install -g) the daemon peaks at ${npm.peakRssMb.toFixed(0)} MB for ${n(EVENTS)} events and ${ours('', 1).peakRssMb.toFixed(0)} MB for ${n(small)} (target: under 150 MB whatever the backlog: ${Math.max(npm.peakRssMb, ours('', 1).peakRssMb) < 150 ? 'met' : 'missed'}); with Node's own sizing ${own.peakRssMb.toFixed(0)} MB. CPU per 1,000 events: ${perThousand(npm).toFixed(1)} ms with the bin's flags, ${perThousand(own).toFixed(1)} ms with Node's own sizing (${(perThousand(npm) / perThousand(own)).toFixed(2)}x). CPU and RSS ratios below 1 are better than the baseline.`);
