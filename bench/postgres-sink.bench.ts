// Postgres sink throughput: one multi-row INSERT per page (the real sink), with and without its
// position (the compare-and-set the pipeline sends with every page), against one INSERT per
// event, in one script, on the same table, pool settings and events.
//   npm run bench -- postgres-sink            (or: npx tsx bench/postgres-sink.bench.ts)
// Needs a real Postgres: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
// BENCH_EVENTS events per variant and round (default 20000, in pages of 100), BENCH_ROUNDS rounds
// (default 3; the order of the variants rotates each round, the median rate is reported).
// BENCH_AUTOCOMMIT_EVENTS caps the slow autocommit variant (default: BENCH_EVENTS).
// Then the same again through a TCP proxy that holds every packet BENCH_NET_DELAY_MS (default 1)
// each way, a database in another availability zone, with BENCH_NET_EVENTS events (default 2000);
// BENCH_NET_DELAY_MS=0 skips it.
// The sink creates a table of its own (bench_pg_<time>_<pid>), truncated before every run and
// dropped at the end; every run must leave exactly its events in it, with identical payloads.
import pg from 'pg';
import { TcpProxy } from '../test/support/tcp-proxy.js';
import { pino } from 'pino';
import { createPostgresPool } from '../src/postgres/postgres-pool.js';
import { withTransaction } from '../src/postgres/with-transaction.js';
import { eventRow } from '../src/sinks/postgres/event-row.js';
import { postgresSink, postgresSinkConfigSchema } from '../src/sinks/postgres/postgres-sink.js';
import { postgresTableNames } from '../src/sinks/postgres/postgres-table.js';
import type { SinkPage, SinkPosition } from '../src/sinks/sink.js';
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
const NET_DELAY_MS = Number(process.env.BENCH_NET_DELAY_MS ?? 1);
const NET_EVENTS = Math.max(PAGE, Math.round(Number(process.env.BENCH_NET_EVENTS ?? 2_000) / PAGE) * PAGE);

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

interface Variant {
  readonly name: string;
  readonly statements: string;
  readonly events: number;
  /** Before each run, after the table is truncated: forget what the variant keeps between pages. */
  reset?(): Promise<void>;
  write(page: SinkPage): Promise<void>;
}

interface Measured {
  readonly variant: Variant;
  /** events/s, one per round. */
  readonly rates: number[];
}

/**
 * Every variant, ROUNDS times with the order rotated, against the Postgres at `url`, in a table
 * of its own (truncated before every run, dropped at the end). Each run must leave exactly its
 * events, with the same payloads as every other run of that size; `problems` collects any that do not.
 */
async function measure(url: string, events: number, autocommitEvents: number, problems: string[]): Promise<Measured[]> {
  const table = `bench_pg_${Date.now().toString(36)}_${process.pid}`;
  const names = postgresTableNames('public', table);
  const config = postgresSinkConfigSchema.parse({ type: 'postgres', url, table });
  const logger = pino({ level: 'silent' });
  const sink = postgresSink.create(config, 'bench', { logger, stdout: process.stdout });
  // The baselines' pool: the sink's own factory with the sink's (default) settings.
  const pool = createPostgresPool(config, logger, 'bench-baseline');
  const admin = new pg.Client({ connectionString: URL });
  // The baselines' statement: the row the sink writes, the way an integration writes one event.
  const oneRow = `insert into ${names.events} (id, event_type, organization_id, created_at, payload) values ($1, $2, $3, $4::timestamptz, $5::jsonb) on conflict (id) do nothing`;
  // What the pipeline writes: each page with the position it moves the sink's own position to.
  let position: SinkPosition | null = null;
  const variants: Variant[] = [
    { name: 'sink: one INSERT per page', statements: '1 INSERT ... unnest (100 rows), its own transaction', events, write: (page) => sink.write(page) },
    {
      name: 'sink with its position (exactly-once)',
      statements: '1 statement: the position\'s compare-and-set, then the INSERT ... unnest',
      events,
      reset: async () => {
        position = null;
        await admin.query(`truncate ${names.positions}`);
      },
      write: async (page) => {
        const last = page.events.at(-1)!;
        const next = { id: last.id, createdAt: last.created_at, filter: { events: [], organizationId: null } };
        await sink.write({ ...page, commit: { position: next, expected: position } });
        position = next;
      },
    },
    {
      name: 'baseline: one INSERT per event, transaction per page',
      statements: '100 INSERTs in BEGIN ... COMMIT',
      events,
      write: (page) => withTransaction(pool, async (client) => {
        for (const event of page.events) await client.query(oneRow, [...eventRow('bench', event)]);
      }),
    },
    {
      name: 'baseline: one autocommit INSERT per event',
      statements: '100 INSERTs, 100 transactions',
      events: autocommitEvents,
      write: async (page) => {
        for (const event of page.events) await pool.query(oneRow, [...eventRow('bench', event)]);
      },
    },
  ];
  const truncate = () => admin.query(`truncate ${names.events}`);
  /** Row count and a digest of every stored (id, type, organization, created_at, payload). */
  const contents = async (): Promise<{ rows: number; digest: string }> => {
    const { rows } = await admin.query<{ rows: string; digest: string | null }>(
      `select count(*) as rows, md5(string_agg(id || '|' || event_type || '|' || coalesce(organization_id, '') || '|' || extract(epoch from created_at)::text || '|' || payload::text, ',' order by id)) as digest from ${names.events}`,
    );
    return { rows: Number(rows[0]!.rows), digest: rows[0]!.digest ?? '' };
  };
  const run = async (variant: Variant, pages: readonly SinkPage[]): Promise<number> => {
    await truncate();
    await variant.reset?.();
    const started = performance.now();
    for (const page of pages) await variant.write(page);
    return (pages.length * PAGE) / ((performance.now() - started) / 1000);
  };

  const measured = variants.map((variant) => ({ variant, rates: [] as number[] }));
  try {
    await admin.connect();
    await sink.open();
    const pages = samplePages(events, 4);
    const expected = new Map<number, string>();
    // Warm-up: connections, plans, the table's first pages, JIT of the insert paths.
    for (const variant of variants) await run(variant, samplePages(WARMUP_PAGES * PAGE, 99));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < measured.length; i++) {
        const { variant, rates } = measured[(i + round) % measured.length]!;
        rates.push(await run(variant, pages.slice(0, variant.events / PAGE)));
        const { rows, digest } = await contents();
        if (rows !== variant.events) problems.push(`${variant.name}, round ${round + 1}: ${rows} rows, expected ${variant.events}`);
        const want = expected.get(variant.events);
        if (want === undefined) expected.set(variant.events, digest);
        else if (want !== digest) problems.push(`${variant.name}, round ${round + 1}: stored rows differ from an earlier run's`);
      }
    }
    // The autocommit variant may write fewer events; its rows must match the same prefix.
    if (autocommitEvents < events) {
      await truncate();
      for (const page of pages.slice(0, autocommitEvents / PAGE)) await sink.write(page);
      if ((await contents()).digest !== expected.get(autocommitEvents)) problems.push("autocommit rows differ from the sink's");
    }
  } finally {
    await sink.close();
    await pool.end();
    await admin.query(`drop table if exists ${names.events}, ${names.migrations}, ${names.positions}`).catch(() => undefined);
    await admin.end();
  }
  return measured;
}

/** The median time of `select 1` through `url`: the round trip the variants pay per statement. */
async function roundTripMs(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const times: number[] = [];
  try {
    for (let i = 0; i < 50; i++) {
      const started = performance.now();
      await client.query('select 1');
      times.push(performance.now() - started);
    }
  } finally {
    await client.end();
  }
  return median(times);
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
// The ratio is taken within each round (the variants ran back to back) and its median reported,
// so load that drifts between rounds cancels out; the ratio of the median rates is given too.
function table(title: string, measured: readonly Measured[]): void {
  const sinkRates = measured[0]!.rates;
  console.log(`### ${title}\n`);
  console.log('| variant | per page | events per run | events/s (median) | range | sink / variant (median per round) | ratio of medians |\n|---|---|---|---|---|---|---|');
  for (const { variant, rates } of measured) {
    const paired = median(rates.map((rate, i) => sinkRates[i]! / rate));
    console.log(`| ${variant.name} | ${variant.statements} | ${fmt(variant.events)} | ${fmt(median(rates))} | ${fmt(Math.min(...rates))} to ${fmt(Math.max(...rates))} | ${paired.toFixed(1)}x | ${(median(sinkRates) / median(rates)).toFixed(1)}x |`);
  }
  console.log('');
}

const problems: string[] = [];
console.log(`Postgres sink throughput, pages of ${PAGE} events, ${ROUNDS} rounds (order rotated), median events/s\n`);
const loopback = await measure(URL, EVENTS, AUTOCOMMIT_EVENTS, problems);
table(`Loopback (select 1: ${(await roundTripMs(URL)).toFixed(2)} ms)`, loopback);
if (NET_DELAY_MS > 0) {
  const target = new globalThis.URL(URL);
  const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) }, { delayMs: NET_DELAY_MS });
  try {
    target.hostname = proxy.host;
    target.port = String(proxy.port);
    const rtt = await roundTripMs(target.href);
    table(`Through a proxy holding each packet ${NET_DELAY_MS} ms each way (select 1: ${rtt.toFixed(2)} ms)`, await measure(target.href, NET_EVENTS, NET_EVENTS, problems));
  } finally {
    await proxy.close();
  }
}
console.log(`rows checked after every run: ${problems.length === 0 ? 'all runs stored exactly their events, identical payloads' : 'FAILED'}`);
for (const problem of problems) console.log(`  - ${problem}`);
if (problems.length > 0) process.exitCode = 1;
