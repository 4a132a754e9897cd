// Requests to WorkOS per event with several sinks (per-sink lanes reading one shared stream of
// pages), next to one sink draining the same backlog, in the same script.
//   npm run bench -- lanes-requests            (or: npx tsx bench/lanes-requests.bench.ts)
// BENCH_EVENTS (default 20000) is the backlog, read in pages of 100; BENCH_RUNS (default 3) the
// rounds (every row once per round; medians and ranges are reported). BENCH_SLOW_MS (default 20)
// is what the slow sink takes per page, BENCH_STALL_MS (default 3000) how long the stalling one
// stops; BENCH_NEW_EVENTS (default 5000) and BENCH_BUSY_MS (default 100) shape the last row.
// Each drain is one `once` (drainOnce) of the real daemon (Redis cursor, lease, shared budget)
// against the test fake, in this process so that its request log can be read: the figures are
// counts of GET /events, not timings (drain times are printed, never asserted). The budget never
// waits, except in the rows that say otherwise, so each sink runs at its own speed. The bench
// checks that every sink got every event once, in order, and exits non-zero otherwise.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrainResult } from '../src/pipeline/pipeline.js';
import { startFakeWorkOS, type FakeWorkOS } from '../test/fakes/fake-workos.js';
import { seedBacklog } from '../test/fakes/seed-backlog.js';
import { collectingSink } from './support/collecting-sink.js';
import { drainDeployment, forgetDeployment, type DeploymentDrainOptions } from './support/lanes-deployment.js';
import { describeMachine } from './support/machine.js';
import { median } from './support/percentiles.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 20);
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 3000);
const STALL_PAGE = 60;
const NEW_EVENTS = Number(process.env.BENCH_NEW_EVENTS ?? 5_000);
const BUSY_MS = Number(process.env.BENCH_BUSY_MS ?? 100);
const PAGE = 100;
const API_KEY = 'sk_test_bench_lanes';
const DAY_MS = 86_400_000;
/** Enough for the costliest drain (every sink reading every page on its own), so the budget never waits. */
const REQUESTS = 3 * ((EVENTS + NEW_EVENTS) / PAGE + 2);

/** A fake WorkOS holding a week of `EVENTS` events (near the 30 days of retention only adds cursor-age warnings). */
async function fakeWithBacklog(): Promise<FakeWorkOS> {
  const fake = await startFakeWorkOS({ apiKey: API_KEY });
  seedBacklog(fake, EVENTS, { start: new Date(Date.now() - 7 * DAY_MS), spacingMs: Math.floor((6 * DAY_MS) / EVENTS) });
  return fake;
}

const machine = describeMachine();
const shared = await fakeWithBacklog();
const backlog = shared.events.map((e) => e.id);
const dir = await mkdtemp(join(tmpdir(), 'wes-bench-lanes-'));
const deployments: string[] = [];
const problems: string[] = [];

interface Requests {
  /** GET /events during the drain. */
  readonly total: number;
  /** Requests for a page (the same `after` or `range_start`) already asked for in this drain. */
  readonly repeats: number;
  /** The most requests for any one page. */
  readonly mostForOnePage: number;
}

function countRequests(fake: FakeWorkOS): Requests {
  const perPage = new Map<string, number>();
  for (const request of fake.requests) {
    if (request.method !== 'GET' || request.path !== '/events') continue;
    const key = `${request.query.get('after') ?? ''}|${request.query.get('range_start') ?? ''}`;
    perPage.set(key, (perPage.get(key) ?? 0) + 1);
  }
  const counts = [...perPage.values()];
  const total = counts.reduce((a, b) => a + b, 0);
  return { total, repeats: total - perPage.size, mostForOnePage: Math.max(0, ...counts) };
}

interface Measured {
  readonly requests: Requests;
  readonly seconds: number;
}
type Drain = Pick<DeploymentDrainOptions, 'sinks' | 'replace' | 'defaultBudget'>;
/** One drain of the deployment, its requests counted from a clean log. */
async function drain(deployment: string, options: Drain, fake = shared): Promise<Measured & { result: DrainResult }> {
  if (!deployments.includes(deployment)) deployments.push(deployment);
  fake.clearRequests();
  const started = performance.now();
  const result = await drainDeployment({ baseUrl: fake.url, apiKey: API_KEY, deployment, requests: REQUESTS, ...options });
  return { requests: countRequests(fake), seconds: (performance.now() - started) / 1000, result };
}

const newDeployment = () => `wes-bench:lanes:${randomUUID()}`;
const jsonl = (name: string, extra: Record<string, unknown> = {}) => ({ type: 'jsonl', name, path: join(dir, `${name}-${randomUUID()}.jsonl`), ...extra });
/** The config entry of a sink injected in its place (see DeploymentDrainOptions.replace). */
const injected = (name: string, extra: Record<string, unknown> = {}) => ({ type: 'stdout', name, ...extra });
const idsInFile = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { id: string }).id);

/** "Every event once, in order": the ids a sink got are exactly the log's, oldest first. */
function check(row: string, sink: string, ids: readonly string[], expected: readonly string[] = backlog): void {
  const first = ids.findIndex((id, i) => id !== expected[i]);
  if (ids.length === expected.length && first === -1) return;
  problems.push(`${row}, sink ${sink}: got ${ids.length} events for ${expected.length}, first difference at index ${first === -1 ? Math.min(ids.length, expected.length) : first}`);
}
async function checkFiles(row: string, entries: ReadonlyArray<{ name: string; path: string }>): Promise<void> {
  for (const entry of entries) check(row, entry.name, await idsInFile(entry.path));
}
/** Each named sink received this many events in the drain, and ended caught up at the newest event. */
function checkDrained(row: string, result: DrainResult, events: Record<string, number>, newest = backlog.at(-1)): void {
  for (const [name, expected] of Object.entries(events)) {
    const lane = result.sinks[name];
    if (!lane || lane.stopped || lane.events !== expected || lane.cursor?.id !== newest) {
      problems.push(`${row}, sink ${name}: drained ${lane?.events ?? 'no'} events (expected ${expected}), stopped ${lane?.stopped}, cursor ${lane?.cursor?.id ?? null}`);
    }
  }
}

/** A row of the table: what it runs, and the events its furthest-behind sink must get (0: caught up). */
interface Row {
  readonly what: string;
  readonly events: number;
}
/** Each scenario runs its drains once and returns one measurement per row it reports. */
const scenarios: Array<() => Promise<Array<Row & Measured>>> = [
  // 1. Baseline: one jsonl sink drains the backlog.
  async () => {
    const a = jsonl('a');
    const run = await drain(newDeployment(), { sinks: [a] });
    checkDrained('baseline', run.result, { a: EVENTS });
    await checkFiles('baseline', [a]);
    return [{ what: 'one jsonl sink (baseline)', events: EVENTS, ...run }];
  },
  // 2. Three jsonl sinks in step: they start together from "earliest".
  async () => {
    const sinks = [jsonl('a'), jsonl('b'), jsonl('c')];
    const run = await drain(newDeployment(), { sinks });
    checkDrained('three in step', run.result, { a: EVENTS, b: EVENTS, c: EVENTS });
    await checkFiles('three in step', sinks);
    return [{ what: 'three jsonl sinks in step', events: EVENTS, ...run }];
  },
  // 3. Three sinks that start together but differ in speed: a jsonl sink (a flush per page) and two
  // that do nothing; then the same under the default budget, which paces the fastest.
  ...[false, true].map((defaultBudget) => async () => {
    const row = defaultBudget ? 'different speeds, default budget' : 'different speeds';
    const a = jsonl('a');
    const [b, c] = [collectingSink('b'), collectingSink('c')];
    const run = await drain(newDeployment(), { sinks: [a, injected('b'), injected('c')], replace: [b, c], defaultBudget });
    checkDrained(row, run.result, { a: EVENTS, b: EVENTS, c: EVENTS });
    await checkFiles(row, [a]);
    check(row, 'b', b.ids);
    check(row, 'c', c.ids);
    return [{ what: defaultBudget ? 'the same, default budget (600 a minute, burst 50)' : 'one jsonl sink + two that do nothing, in step at first', events: EVENTS, ...run }];
  }),
  // 4. A sink added to a running deployment: two sinks drain the backlog, then (a new config, a
  // restart) a third joins with its own startFrom "earliest" while the first two are at the head.
  async () => {
    const deployment = newDeployment();
    const [a, b] = [jsonl('a'), jsonl('b')];
    const first = await drain(deployment, { sinks: [a, b] });
    checkDrained('added sink, drain 1', first.result, { a: EVENTS, b: EVENTS });
    const idle = await drain(deployment, { sinks: [a, b] });
    checkDrained('added sink, drain 2', idle.result, { a: 0, b: 0 });
    const c = jsonl('c', { startFrom: 'earliest' });
    const added = await drain(deployment, { sinks: [a, b, c] });
    checkDrained('added sink, drain 3', added.result, { a: 0, b: 0, c: EVENTS });
    const again = await drain(deployment, { sinks: [a, b, c] });
    checkDrained('added sink, drain 4', again.result, { a: 0, b: 0, c: 0 });
    // a and b still hold every event exactly once: c's catch-up gave them nothing twice.
    await checkFiles('added sink', [a, b, c]);
    return [
      { what: 'two jsonl sinks a, b in step (drain 1 of a deployment)', events: EVENTS, ...first },
      { what: 'a, b caught up (drain 2): what they cost without a new sink', events: 0, ...idle },
      { what: 'a, b + sink c added with startFrom "earliest" (drain 3)', events: EVENTS, ...added },
      { what: 'a, b, c caught up (drain 4)', events: 0, ...again },
    ];
  },
  // 5. A slow sink: three sinks start together; the third takes SLOW_MS per page, so it falls more
  // than the 16 kept pages behind the other two and reads on its own.
  async () => {
    const [a, b] = [jsonl('a'), jsonl('b')];
    const slow = collectingSink('slow', { pageMs: SLOW_MS });
    const run = await drain(newDeployment(), { sinks: [a, b, injected('slow')], replace: [slow] });
    checkDrained('slow sink', run.result, { a: EVENTS, b: EVENTS, slow: EVENTS });
    await checkFiles('slow sink', [a, b]);
    check('slow sink', 'slow', slow.ids);
    return [{ what: `two jsonl sinks + one taking ${SLOW_MS} ms per page`, events: EVENTS, ...run }];
  },
  // 6. A sink that stalls once, under the default budget: three sinks of the same speed start
  // together; the third stops for STALL_MS at page STALL_PAGE (a slow flush, an endpoint busy for
  // a moment), long enough for the budget's 10 pages a second to take the others 16 pages ahead.
  async () => {
    const sinks = [collectingSink('a'), collectingSink('b'), collectingSink('stalls', { stall: { atPage: STALL_PAGE, ms: STALL_MS } })];
    const run = await drain(newDeployment(), { sinks: sinks.map((s) => injected(s.name)), replace: sinks, defaultBudget: true });
    checkDrained('stalling sink', run.result, { a: EVENTS, b: EVENTS, stalls: EVENTS });
    for (const sink of sinks) check('stalling sink', sink.name, sink.ids);
    return [{ what: `three sinks that do nothing, one stalls ${STALL_MS / 1000} s once (page ${STALL_PAGE}); default budget`, events: EVENTS, ...run }];
  },
  // 7. A sink added while the others have a backlog too: a and b drained the first EVENTS,
  // NEW_EVENTS more arrived, and c (fast) is added from "earliest" while a and b take BUSY_MS per
  // page (an http sink's pace). Ideally c reads the old pages on its own and shares the new ones.
  async () => {
    const fake = await fakeWithBacklog();
    const deployment = newDeployment();
    const [a1, b1] = [collectingSink('a'), collectingSink('b')];
    await drain(deployment, { sinks: [injected('a'), injected('b')], replace: [a1, b1] }, fake);
    seedBacklog(fake, NEW_EVENTS, { start: new Date(Date.now() - DAY_MS), spacingMs: Math.floor(DAY_MS / 2 / NEW_EVENTS) });
    const all = fake.events.map((e) => e.id);
    const [a2, b2, c] = [collectingSink('a', { pageMs: BUSY_MS }), collectingSink('b', { pageMs: BUSY_MS }), collectingSink('c')];
    const run = await drain(deployment, { sinks: [injected('a'), injected('b'), injected('c', { startFrom: 'earliest' })], replace: [a2, b2, c] }, fake);
    await fake.close();
    checkDrained('added while busy', run.result, { a: NEW_EVENTS, b: NEW_EVENTS, c: EVENTS + NEW_EVENTS }, all.at(-1));
    check('added while busy', 'a', [...a1.ids, ...a2.ids], all);
    check('added while busy', 'b', [...b1.ids, ...b2.ids], all);
    check('added while busy', 'c', c.ids, all);
    return [{ what: `a, b (${BUSY_MS} ms per page) with ${NEW_EVENTS.toLocaleString('en-US')} new events + c added from "earliest"`, events: EVENTS + NEW_EVENTS, ...run }];
  },
];

const rows = new Map<string, Array<Row & Measured>>();
for (let round = 0; round < RUNS; round++) {
  for (const scenario of scenarios) for (const measured of await scenario()) rows.set(measured.what, [...(rows.get(measured.what) ?? []), measured]);
}
for (const deployment of deployments) await forgetDeployment(deployment);
await rm(dir, { recursive: true, force: true });
await shared.close();

const spread = (values: number[]) => (Math.min(...values) === Math.max(...values) ? String(values[0]) : `${median(values)} (${Math.min(...values)} to ${Math.max(...values)})`);
const baseline = median([...rows.values()][0]!.map((m) => m.requests.total));
console.log(`Requests to GET /events, a backlog of ${EVENTS.toLocaleString('en-US')} events in pages of ${PAGE} (${EVENTS / PAGE} full pages and the short one that says "caught up"); ${RUNS} rounds, medians (range)`);
console.log(`${machine}, ${new Date().toISOString()}\n`);
console.log('| sinks, one `once` each | requests | requests/event | vs baseline | pages asked for again | most requests for one page | drain time (not asserted) |');
console.log('|---|---|---|---|---|---|---|');
for (const [what, runs] of rows) {
  const total = median(runs.map((m) => m.requests.total));
  // A drain of sinks already caught up delivers no event: per event and against a drain of the backlog mean nothing there.
  const [perEvent, ratio] = runs[0]!.events > 0 ? [(total / runs[0]!.events).toFixed(4), `${(total / baseline).toFixed(2)}x`] : ['-', '-'];
  console.log(`| ${what} | ${spread(runs.map((m) => m.requests.total))} | ${perEvent} | ${ratio} | ${spread(runs.map((m) => m.requests.repeats))} | ${Math.max(...runs.map((m) => m.requests.mostForOnePage))} | ${median(runs.map((m) => m.seconds)).toFixed(1)} s |`);
}
if (problems.length > 0) {
  console.log(`\nCORRECTNESS FAILED:\n${problems.map((p) => `- ${p}`).join('\n')}`);
  process.exitCode = 1;
} else {
  console.log(`\nChecked in every round: every sink got every event exactly once, in order, and every drain ended caught up at the newest event.`);
}
