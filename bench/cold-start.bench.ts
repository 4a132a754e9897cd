// Cold start and idle memory of the CLI, each as a ratio to bare `node -e 0` in the same run:
// `--help`, `--version` and a command's `--help` (they load no command, SDK or driver), and
// `once` with a jsonl sink and a file cursor against a WorkOS with nothing new (what every cron
// run of `once` pays). `once` starts Node twice: the bin applies its heap flags by replacing
// itself (process.execve, src/heap-flags.ts), so its row counts both starts; the same `once` with
// those flags already in NODE_OPTIONS starts once, and the difference is what the second start
// costs. Times are medians of BENCH_RUNS spawns (default 15); RSS is the kernel's peak
// (ru_maxrss) of one run each, which for `once` covers both images (Linux keeps it across exec).
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, heapOptions } from './support/built-cli.js';
import { startFakeWorkOSProcess } from './support/fake-workos-process.js';
import { describeMachine } from './support/machine.js';
import { measureChild } from './support/measure-child.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const API_KEY = 'sk_test_bench';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median wall time of spawning `node ...args` to its exit, ms; the exit code must be `code`. */
function startMs(args: readonly string[], env: Record<string, string> = {}, code = 0): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: 'ignore' });
    times.push(performance.now() - started);
    if (result.status !== code) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  }
  return median(times);
}

const dir = await mkdtemp(join(tmpdir(), 'wes-cold-'));
const fake = await startFakeWorkOSProcess('synthetic', 0, API_KEY);
const config = join(dir, 'config.json');
await writeFile(config, JSON.stringify({
  workos: { baseUrl: fake.url },
  cursor: { store: 'file', path: join(dir, 'cursor.json') },
  sinks: [{ type: 'jsonl', path: join(dir, 'events.jsonl') }],
  http: { enabled: false },
}));
const onceEnv = { WORKOS_API_KEY: API_KEY, LOG_LEVEL: 'warn' };
const onceOnlyEnv = { ...onceEnv, NODE_OPTIONS: heapOptions };
try {
  const bare = startMs(['-e', '0']);
  const rows: Array<[string, number]> = [
    ['`node -e 0` (baseline)', bare],
    ['`--help`', startMs([cli, '--help'])],
    ['`--version`', startMs([cli, '--version'])],
    ['`reconcile --help`', startMs([cli, 'reconcile', '--help'])],
    ['`once`, jsonl sink, file cursor, nothing new (Node started twice: the bin applies its heap flags)', startMs([cli, 'once', '--config', config], onceEnv)],
    [`the same with \`NODE_OPTIONS="${heapOptions}"\` (Node started once)`, startMs([cli, 'once', '--config', config], onceOnlyEnv)],
  ];
  const bareRss = (await measureChild(['-e', '0'], {}, dir)).peakRssMb;
  const once = await measureChild([cli, 'once', '--config', config], onceEnv, dir);
  if (once.code !== 0) throw new Error(`once exited ${once.code}: ${once.stderr}`);
  const onceOnly = await measureChild([cli, 'once', '--config', config], onceOnlyEnv, dir);
  if (onceOnly.code !== 0) throw new Error(`once exited ${onceOnly.code}: ${onceOnly.stderr}`);

  console.log(`${describeMachine()}, ${RUNS} spawns per row (medians), ${new Date().toISOString()}\n`);
  console.log('| command | start to exit | vs `node -e 0` |');
  console.log('|---|---|---|');
  for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(0)} ms | ${(ms / bare).toFixed(2)}x |`);
  console.log('\n| process | peak RSS | more than `node -e 0` |');
  console.log('|---|---|---|');
  console.log(`| \`node -e 0\` | ${bareRss.toFixed(0)} MB | - |`);
  console.log(`| \`once\`, jsonl sink, file cursor (both images) | ${once.peakRssMb.toFixed(0)} MB | ${(once.peakRssMb - bareRss).toFixed(0)} MB |`);
  console.log(`| the same, heap flags in NODE_OPTIONS (one image) | ${onceOnly.peakRssMb.toFixed(0)} MB | ${(onceOnly.peakRssMb - bareRss).toFixed(0)} MB |`);
} finally {
  await fake.close();
}
