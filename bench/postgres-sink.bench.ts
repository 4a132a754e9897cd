// Postgres sink throughput: one multi-row INSERT per page (the real sink) against one INSERT per
// event, in one script, on the same table, pool settings and events.
//   npm run bench -- postgres-sink            (or: npx tsx bench/postgres-sink.bench.ts)
// Needs a real Postgres: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
// BENCH_EVENTS events per variant and round (default 20000, in pages of 100), BENCH_ROUNDS rounds
// (default 3; the order of the variants rotates each round, the median rate is reported).
// BENCH_AUTOCOMMIT_EVENTS caps the slow autocommit variant (default: BENCH_EVENTS).
// The sink creates a table of its own (bench_pg_<time>_<pid>), truncated before every run and
// dropped at the end; every run must leave exactly its events in it, with identical payloads.
import pg from 'pg';
import { pino } from 'pino';
import { createPostgresPool } from '../src/postgres/postgres-pool.js';
import { withTransaction } from '../src/postgres/with-transaction.js';
import { eventRow } from '../src/sinks/postgres/event-row.js';
import { insertStatement } from '../src/sinks/postgres/insert-page.js';
import { postgresSink, postgresSinkConfigSchema } from '../src/sinks/postgres/postgres-sink.js';
import { postgresTableNames } from '../src/sinks/postgres/postgres-table.js';
import type { SinkPage } from '../src/sinks/sink.js';
import type { WorkOSEvent } from '../src/workos/event.js';
import { createEventFactory } from '../test/fakes/event-factory.js';
import { createEventIdGenerator } from '../test/fakes/event-ids.js';
import { createPrng } from '../test/fakes/prng.js';
import { median } from './support/percentiles.js';

const URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PAGE = 100;
const EVENTS = Math.max(PAGE, Math.round(Number(process.env.BENCH_EVENTS ?? 20_000) / PAGE) * PAGE);
const AUTOCOMMIT_EVENTS = Math.min(EVENTS, Math.max(PAGE, Math.round(Number(process.env.BENCH_AUTOCOMMIT_EVENTS ?? EVENTS) / PAGE) * PAGE));
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const WARMUP_PAGES = 10;

/** Realistic WorkOS pages (the conformance suite's samplePage, seeded), oldest first. */
function samplePages(events: number, seed: number): SinkPage[] {
  const factory = createEventFactory(seed);
  const nextId = createEventIdGenerator(createPrng(seed));
  const start = Date.parse('2026-11-27T00:00:00Z') - events * 1000;
  const pages: SinkPage[] = [];
  for (let p = 0; p < events / PAGE; p++) {
    const page: WorkOSEvent[] = [];
    for (let i = 0; i < PAGE; i++) {
      const at = new Date(start + (p * PAGE + i) * 1000);
      const generated = factory.next(at);
      page.push({ object: 'event', id: nextId(at.getTime()), event: generated.type, data: generated.data, created_at: at.toISOString() });
    }
    pages.push({ events: page });
  }
  return pages;
}

const table = `bench_pg_${Date.now().toString(36)}_${process.pid}`;
const names = postgresTableNames('public', table);
const config = postgresSinkConfigSchema.parse({ type: 'postgres', url: URL, table });
const logger = pino({ level: 'silent' });
const sink = postgresSink.create(config, 'bench', { logger, stdout: process.stdout });
// The baselines' pool: the sink's own factory with the sink's (default) settings.
const pool = createPostgresPool(config, logger, 'bench-baseline');
const admin = new pg.Client({ connectionString: URL });
const oneRow = insertStatement(names.events, 1);

interface Variant {
  readonly name: string;
  readonly statements: string;
  readonly events: number;
  write(page: SinkPage): Promise<void>;
}

const variants: Variant[] = [
  { name: 'sink: one multi-row INSERT per page', statements: '1 INSERT (100 rows), 1 transaction', events: EVENTS, write: (page) => sink.write(page) },
  {
    name: 'baseline: one INSERT per event, transaction per page',
    statements: '100 INSERTs, 1 transaction',
    events: EVENTS,
    write: (page) => withTransaction(pool, async (client) => {
      for (const event of page.events) await client.query(oneRow, [...eventRow('bench', event)]);
    }),
  },
  {
    name: 'baseline: one autocommit INSERT per event',
    statements: '100 INSERTs, 100 transactions',
    events: AUTOCOMMIT_EVENTS,
    write: async (page) => {
      for (const event of page.events) await pool.query(oneRow, [...eventRow('bench', event)]);
    },
  },
];

async function truncate(): Promise<void> {
  await admin.query(`truncate ${names.events}`);
}

/** Row count and a digest of every stored (id, type, organization, created_at, payload). */
async function contents(): Promise<{ rows: number; digest: string }> {
  const { rows } = await admin.query<{ rows: string; digest: string | null }>(
    `select count(*) as rows, md5(string_agg(id || '|' || event_type || '|' || coalesce(organization_id, '') || '|' || extract(epoch from created_at)::text || '|' || payload::text, ',' order by id)) as digest from ${names.events}`,
  );
  return { rows: Number(rows[0]!.rows), digest: rows[0]!.digest ?? '' };
}

async function run(variant: Variant, pages: readonly SinkPage[]): Promise<number> {
  await truncate();
  const started = performance.now();
  for (const page of pages) await variant.write(page);
  const seconds = (performance.now() - started) / 1000;
  return pages.length * PAGE / seconds;
}

const rates = new Map<Variant, number[]>(variants.map((v) => [v, []]));
const problems: string[] = [];
try {
  await admin.connect();
  await sink.open();
  const pages = samplePages(EVENTS, 4);
  const expected = new Map<number, string>();

  // Warm-up: connections, plans, the table's first pages, JIT of the insert paths.
  for (const variant of variants) await run(variant, samplePages(WARMUP_PAGES * PAGE, 99));

  for (let round = 0; round < ROUNDS; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length]!);
    for (const variant of order) {
      const slice = pages.slice(0, variant.events / PAGE);
      rates.get(variant)!.push(await run(variant, slice));
      const { rows, digest } = await contents();
      if (rows !== variant.events) problems.push(`${variant.name}, round ${round + 1}: ${rows} rows, expected ${variant.events}`);
      const want = expected.get(variant.events);
      if (want === undefined) expected.set(variant.events, digest);
      else if (want !== digest) problems.push(`${variant.name}, round ${round + 1}: stored rows differ from an earlier run's`);
    }
  }
  // The autocommit variant may write fewer events; its rows must match the same prefix.
  if (AUTOCOMMIT_EVENTS < EVENTS) {
    await truncate();
    for (const page of pages.slice(0, AUTOCOMMIT_EVENTS / PAGE)) await sink.write(page);
    if ((await contents()).digest !== expected.get(AUTOCOMMIT_EVENTS)) problems.push('autocommit rows differ from the sink\'s');
  }
} finally {
  await sink.close();
  await pool.end();
  await admin.query(`drop table if exists ${names.events}, ${names.migrations}`).catch(() => undefined);
  await admin.end();
}

const sinkRate = median(rates.get(variants[0]!)!);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
// The ratio is taken within each round (the variants ran back to back) and its median reported,
// so load that drifts between rounds cancels out; the ratio of the median rates is given too.
const sinkRates = rates.get(variants[0]!)!;
console.log(`Postgres sink throughput, pages of ${PAGE} events, ${ROUNDS} rounds (order rotated), median events/s\n`);
console.log('| variant | per page | events per run | events/s (median) | range | sink / variant (median per round) | ratio of medians |\n|---|---|---|---|---|---|---|');
for (const variant of variants) {
  const r = rates.get(variant)!;
  const paired = median(r.map((rate, i) => sinkRates[i]! / rate));
  console.log(`| ${variant.name} | ${variant.statements} | ${fmt(variant.events)} | ${fmt(median(r))} | ${fmt(Math.min(...r))} to ${fmt(Math.max(...r))} | ${paired.toFixed(1)}x | ${(sinkRate / median(r)).toFixed(1)}x |`);
}
console.log(`\nrows checked after every run: ${problems.length === 0 ? 'all runs stored exactly their events, identical payloads' : 'FAILED'}`);
for (const problem of problems) console.log(`  - ${problem}`);
if (problems.length > 0) process.exitCode = 1;
