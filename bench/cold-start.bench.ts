// Cold start and idle memory of the CLI, each as a ratio to bare `node -e 0` in the same run:
// `--help`, `--version` and a command's `--help` (they load no command, SDK or driver), and
// `once` with a jsonl sink and a file cursor against a WorkOS with nothing new (what every cron
// run of `once` pays). `once` starts Node twice: the bin applies its heap flags by replacing
// itself (process.execve, src/heap-flags.ts), so its row counts both starts; the same `once` with
// those flags already in NODE_OPTIONS starts once, and the difference is what the second start
// costs. Times are medians of BENCH_RUNS spawns of each row (default 15), the rows taken in
// turn; RSS is the kernel's peak (ru_maxrss) of one run each, which for `once` covers both images
// (Linux keeps it across exec).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

interface Row {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Record<string, string>;
}

/** Wall time of spawning `node ...args` to its exit (which must be 0), ms. */
function startMs({ args, env = {} }: Row): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}`);
  return performance.now() - started;
}

/** The median of RUNS spawns of each row, the rows taken in turn: a change of the host's load during the run weighs on all of them alike. */
function medianStartMs(rows: readonly Row[]): number[] {
  const times = rows.map((): number[] => []);
  for (let i = 0; i < RUNS; i++) rows.forEach((row, r) => times[r]!.push(startMs(row)));
  return times.map(median);
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
const machine = describeMachine();
try {
  const rows: Row[] = [
    { name: '`node -e 0` (baseline)', args: ['-e', '0'] },
    { name: '`--help`', args: [cli, '--help'] },
    { name: '`--version`', args: [cli, '--version'] },
    { name: '`reconcile --help`', args: [cli, 'reconcile', '--help'] },
    { name: '`once`, jsonl sink, file cursor, nothing new (Node started twice: the bin applies its heap flags)', args: [cli, 'once', '--config', config], env: onceEnv },
    { name: `the same with \`NODE_OPTIONS="${heapOptions}"\` (Node started once)`, args: [cli, 'once', '--config', config], env: onceOnlyEnv },
  ];
  const medians = medianStartMs(rows);
  const bare = medians[0]!;
  const bareRss = (await measureChild(['-e', '0'], {}, dir)).peakRssMb;
  const once = await measureChild([cli, 'once', '--config', config], onceEnv, dir);
  if (once.code !== 0) throw new Error(`once exited ${once.code}: ${once.stderr}`);
  const onceOnly = await measureChild([cli, 'once', '--config', config], onceOnlyEnv, dir);
  if (onceOnly.code !== 0) throw new Error(`once exited ${onceOnly.code}: ${onceOnly.stderr}`);

  console.log(`${machine}, ${RUNS} spawns per row, the rows in turn (medians), ${new Date().toISOString()}\n`);
  console.log('| command | start to exit | vs `node -e 0` |');
  console.log('|---|---|---|');
  rows.forEach(({ name }, r) => console.log(`| ${name} | ${medians[r]!.toFixed(0)} ms | ${(medians[r]! / bare).toFixed(2)}x |`));
  console.log('\n| process | peak RSS | more than `node -e 0` |');
  console.log('|---|---|---|');
  console.log(`| \`node -e 0\` | ${bareRss.toFixed(0)} MB | - |`);
  console.log(`| \`once\`, jsonl sink, file cursor (both images) | ${once.peakRssMb.toFixed(0)} MB | ${(once.peakRssMb - bareRss).toFixed(0)} MB |`);
  console.log(`| the same, heap flags in NODE_OPTIONS (one image) | ${onceOnly.peakRssMb.toFixed(0)} MB | ${(onceOnly.peakRssMb - bareRss).toFixed(0)} MB |`);
} finally {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
}
