// Peak RSS of `workos-events-sync reconcile` over a directory of 100,000 users (each in one of
// 500 groups, so 100,000 group memberships too), against the baseline of the previous
// reconcile's approach (everything listed and read into memory first, then compared).
//   npm run bench -- reconcile-memory          (or: npx tsx bench/reconcile-memory.bench.ts; needs `npm run build`)
// BENCH_USERS (default 100000) and BENCH_GROUPS (default 500) scale it. The WorkOS side is
// bench/support/synthetic-directory.ts (every object built from its index, in this process:
// its memory is nobody's measured RSS). The mirror is built the way it is in production: the
// same objects' events written through the postgres_mirror sink, into a schema of its own,
// dropped at the end; then 10 rows are changed by hand, so that reconcile has something to
// report. Each run is a child process with bench/support/report-usage.ts preloaded (getrusage at
// exit: ru_maxrss, the kernel's peak RSS), with the bin's heap flags and with Node's own sizing.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { WorkOSEvent } from '../src/workos/event.js';
import { mirrorSink, newMirrorSchema } from '../test/support/mirror-schema.js';
import { POSTGRES_URL } from '../test/support/services.js';
import { cli, heapOptions, nodeOwnSizing, root } from './support/built-cli.js';
import { describeMachine } from './support/machine.js';
import { measureChild, type ChildUsage } from './support/measure-child.js';
import { startSyntheticDirectory } from './support/synthetic-directory.js';

const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const GROUPS = Number(process.env.BENCH_GROUPS ?? 500);
const TAMPERED = 10;
const API_KEY = 'sk_test_bench';

type Usage = ChildUsage;

async function measure(args: readonly string[], env: Record<string, string>, dir: string): Promise<Usage> {
  const result = await measureChild(args, env, dir);
  // reconcile exits 1 when the mirror differs, which it does here on purpose.
  if (!result.outOfMemory && result.code !== 0 && result.code !== 1) throw new Error(`${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  return result;
}

// The bin's heap flags (given in NODE_OPTIONS, so the baseline has them too; the bin then adds
// nothing), Node's own sizing (V8 sizes the heap from the host's memory; a heap flag of the user's
// own, since with none the bin would apply its flags to reconcile), and a heap too small for the
// baseline's approach, which shows how little of the RSS is live data.
const OPTIONS = [heapOptions, nodeOwnSizing, '--max-semi-space-size=4 --max-old-space-size=64'];
const machine = describeMachine();
const dir = await mkdtemp(join(tmpdir(), 'wes-bench-reconcile-'));
const schema = newMirrorSchema('wes_bench_reconcile');
const directory = await startSyntheticDirectory({ users: USERS, groups: GROUPS, apiKey: API_KEY });
const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 1 });
const results: { name: string; options: string; usage: Usage }[] = [];
try {
  const setup = performance.now();
  const sink = mirrorSink(schema, 'bench-mirror');
  for (const page of directory.eventsOf(100)) await sink.write({ events: page as unknown as WorkOSEvent[] });
  await sink.close();
  await admin.query(`update "${schema}".directory_users set email = 'tampered' where id in (select id from "${schema}".directory_users order by id limit ${TAMPERED})`);
  console.log(`Mirror built from ${(USERS * 2 + GROUPS + 2).toLocaleString('en-US')} events in ${((performance.now() - setup) / 1000).toFixed(0)} s.`);
  const config = join(dir, 'config.json');
  await writeFile(config, JSON.stringify({
    workos: { baseUrl: directory.url },
    cursor: { store: 'file', path: join(dir, 'cursor.json') },
    // The highest budget WorkOS allows: the run measures memory, and this bounds its time.
    rateLimit: { requestsPerMinute: 6000 },
    http: { enabled: false },
    sinks: [{ type: 'postgres_mirror', url: POSTGRES_URL, schema }],
  }));
  for (const options of OPTIONS) {
    const ours = await measure([cli, 'reconcile', '--config', config], { WORKOS_API_KEY: API_KEY, NODE_OPTIONS: options }, dir);
    if (!ours.stdout.includes(`directory_users: ${USERS} compared, ${TAMPERED} differ`)) throw new Error(`unexpected report:\n${ours.stdout}`);
    results.push({ name: 'workos-events-sync reconcile (streamed, table by table)', options, usage: ours });
    const baseline = await measure([join(root, 'bench/support/reconcile-in-memory.ts'), JSON.stringify({ baseUrl: directory.url, apiKey: API_KEY, postgresUrl: POSTGRES_URL, schema })], { NODE_OPTIONS: options }, dir);
    results.push({ name: 'baseline: everything listed and read into memory, then compared', options, usage: baseline });
  }
} finally {
  await directory.close();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
}

console.log(`Machine: ${machine}.\n`);
console.log(`### Reconcile: peak RSS over ${USERS.toLocaleString('en-US')} directory users and ${USERS.toLocaleString('en-US')} group memberships\n`);
console.log('| run | NODE_OPTIONS | peak RSS | vs baseline | wall time |\n|---|---|---|---|---|');
for (const options of OPTIONS) {
  const base = results.find((r) => r.options === options && r.name.startsWith('baseline'))!.usage;
  for (const r of results.filter((x) => x.options === options)) {
    const rss = r.usage.outOfMemory ? 'out of memory at the heap limit' : `${r.usage.peakRssMb.toFixed(0)} MB`;
    const ratio = r.usage.outOfMemory || base.outOfMemory ? '-' : `${(r.usage.peakRssMb / base.peakRssMb).toFixed(2)}x`;
    console.log(`| ${r.name} | ${options === nodeOwnSizing ? `\`${options}\` (Node's own sizing)` : `\`${options}\``} | ${rss} | ${ratio} | ${r.usage.seconds.toFixed(1)} s |`);
  }
}
const ours = (options: string) => results.find((r) => r.options === options && !r.name.startsWith('baseline'))!.usage;
const verdict = (u: Usage) => (u.outOfMemory ? 'out of memory' : `${u.peakRssMb.toFixed(0)} MB, ${u.peakRssMb < 200 ? 'met' : 'missed'}`);
console.log(`\nTarget, reconcile under 200 MB RSS: with the bin's heap flags ${verdict(ours(heapOptions))}; with Node's own sizing ${verdict(ours(nodeOwnSizing))}; with a 64 MB old space ${verdict(ours(OPTIONS[2]!))}.`);
