import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isWesError } from '../../../src/errors.js';
import { postgresMirrorSink, postgresMirrorSinkConfigSchema } from '../../../src/sinks/postgres-mirror/postgres-mirror-sink.js';
import { postgresSink, postgresSinkConfigSchema } from '../../../src/sinks/postgres/postgres-sink.js';
import type { Sink, SinkPosition } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { POSTGRES_URL } from '../../support/services.js';

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
const silent = pino({ level: 'silent' });
const FILTER = { events: [] as string[], organizationId: null };

/** What differs between the two sinks: how to make one, where it keeps rows and positions. */
interface Variant {
  readonly type: string;
  make(schema: string, name: string): Sink;
  /** The events' rows the sink holds (users, for the mirror). */
  rows(schema: string): string;
  positions(schema: string): string;
}

const VARIANTS: readonly Variant[] = [
  {
    type: 'postgres',
    make: (schema, name) => postgresSink.create(postgresSinkConfigSchema.parse({ type: 'postgres', url: POSTGRES_URL, schema, table: 'events' }), name, { logger: silent, stdout: process.stdout }),
    rows: (schema) => `"${schema}".events`,
    positions: (schema) => `"${schema}".events_positions`,
  },
  {
    type: 'postgres_mirror',
    make: (schema, name) => postgresMirrorSink.create(postgresMirrorSinkConfigSchema.parse({ type: 'postgres_mirror', url: POSTGRES_URL, schema }), name, { logger: silent, stdout: process.stdout }),
    rows: (schema) => `"${schema}".users`,
    positions: (schema) => `"${schema}".sync_positions`,
  },
];

const BASE_MS = Date.parse('2026-03-01T10:00:00.000Z');
let serial = 0;

/** `user.created` events, which both sinks store as one row each. */
function page(n: number): WorkOSEvent[] {
  return Array.from({ length: n }, () => {
    const i = ++serial;
    const at = new Date(BASE_MS + i * 1000).toISOString();
    return { object: 'event', id: `event_${String(i).padStart(8, '0')}`, event: 'user.created', data: { object: 'user', id: `user_${i}`, email: `u${i}@acme.com` }, created_at: at };
  });
}

function after(events: readonly WorkOSEvent[]): SinkPosition {
  const last = events.at(-1)!;
  return { id: last.id, createdAt: last.created_at, filter: FILTER };
}

const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err);

describe.each(VARIANTS)('the $type sink keeps its own position', (variant) => {
  let schema: string;
  let sinks: Sink[];
  const make = (name = 'pos-test'): Sink => {
    const sink = variant.make(schema, name);
    sinks.push(sink);
    return sink;
  };
  const count = async (): Promise<number> => Number((await admin.query<{ n: string }>(`select count(*) as n from ${variant.rows(schema)}`)).rows[0]!.n);
  const stored = async () => (await admin.query(`select sink, event_id, event_created_at, filter, lease_token from ${variant.positions(schema)} order by sink`)).rows;

  beforeEach(() => {
    schema = `wes_pos_test_${randomBytes(6).toString('hex')}`;
    sinks = [];
  });
  afterEach(async () => {
    for (const sink of sinks) await sink.close();
    await admin.query(`drop schema if exists "${schema}" cascade`);
  });

  it('moves the rows and the position together, and records the lease token beside it', async () => {
    const sink = make();
    const first = page(3);
    await sink.write({ events: first, commit: { position: after(first), expected: null, token: 'token-a' } });
    const second = page(2);
    await sink.write({ events: second, commit: { position: after(second), expected: after(first), token: 'token-b' } });
    expect(await count()).toBe(5);
    expect(await sink.positions!.read()).toEqual(after(second));
    expect(await stored()).toEqual([{ sink: 'pos-test', event_id: second[1]!.id, event_created_at: second[1]!.created_at, filter: FILTER, lease_token: 'token-b' }]);
  });

  it('writes nothing and throws WES_ERR_LEASE_LOST when the stored position is not the expected one', async () => {
    const sink = make();
    const first = page(3);
    await sink.write({ events: first, commit: { position: after(first), expected: null } });
    const second = page(2);
    // A replay of the first page by a writer that did not see it commit, and a writer that is one page behind.
    for (const expected of [null, { id: 'event_elsewhere', createdAt: first[0]!.created_at, filter: FILTER }]) {
      const err = await failure(sink.write({ events: second, commit: { position: after(second), expected } }));
      expect(isWesError(err) && err.code, String(err)).toBe('WES_ERR_LEASE_LOST');
    }
    // The same id with another created_at or filter is another position too.
    for (const expected of [{ ...after(first), createdAt: '2026-03-01 10:00:03.000' }, { ...after(first), filter: { events: ['user.created'], organizationId: null } }, { ...after(first), filter: undefined }]) {
      expect(await failure(sink.write({ events: second, commit: { position: after(second), expected } }))).toMatchObject({ code: 'WES_ERR_LEASE_LOST' });
    }
    expect(await count()).toBe(3);
    expect(await sink.positions!.read()).toEqual(after(first));
  });

  it('of two writers expecting the same position at the same moment, exactly one applies its page', async () => {
    const [a, b] = [make(), make()];
    await Promise.all([a.open(), b.open()]);
    // Both writers are made to wait on the position's row at once, behind a transaction of the
    // test's: first an insert of it (nothing stored yet), then a row lock (something stored).
    let expected: SinkPosition | null = null;
    for (const hold of [`insert into ${variant.positions(schema)} (sink) values ('pos-test')`, `select 1 from ${variant.positions(schema)} where sink = 'pos-test' for update`]) {
      const blocker = await admin.connect();
      try {
        await blocker.query('begin');
        await blocker.query(hold);
        const pages = [page(4), page(4)];
        const writes = [a, b].map((sink, i) => failure(sink.write({ events: pages[i]!, commit: { position: after(pages[i]!), expected } })));
        await waitForWaiters(2);
        await blocker.query(expected === null ? 'rollback' : 'commit');
        const results = await Promise.all(writes);
        expect(results.filter((r) => r === undefined)).toHaveLength(1);
        expect(results.find((r) => r !== undefined)).toMatchObject({ code: 'WES_ERR_LEASE_LOST' });
        expected = after(pages[results.indexOf(undefined)]!);
        expect(await a.positions!.read()).toEqual(expected);
      } finally {
        blocker.release();
      }
    }
    expect(await count()).toBe(8);
  });

  /** Until `n` sessions of this test's schema wait for a lock. */
  async function waitForWaiters(n: number): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      const { rows } = await admin.query<{ n: string }>(
        "select count(*) as n from pg_stat_activity where wait_event_type = 'Lock' and position($1 in query) > 0",
        [schema],
      );
      if (Number(rows[0]!.n) >= n) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`fewer than ${n} writers came to wait on the position`);
  }

  it('moves the position for a page with no events', async () => {
    const sink = make();
    const first = page(2);
    await sink.write({ events: first, commit: { position: after(first), expected: null } });
    const skipped: SinkPosition = { id: 'event_99999999', createdAt: '2026-03-02T00:00:00.000Z', filter: FILTER };
    await sink.write({ events: [], commit: { position: skipped, expected: after(first) } });
    expect(await sink.positions!.read()).toEqual(skipped);
    expect(await count()).toBe(2);
  });

  it('reads back exactly what set wrote, a start time without an id and a hand-set cursor without a filter, and forgets on set(null)', async () => {
    const sink = make();
    const other = make('other-sink');
    const positions: Array<SinkPosition> = [
      { id: null, createdAt: '2026-03-01T00:00:00.000Z', filter: { events: ['user.created', 'user.deleted'], organizationId: 'org_1' } },
      { id: 'event_01HX', createdAt: '2023-04-28 20:05:31.093', filter: FILTER },
      { id: 'event_01HY', createdAt: null },
    ];
    await other.positions!.set(positions[0]!);
    for (const position of positions) {
      await sink.positions!.set(position);
      expect(await sink.positions!.read()).toStrictEqual(position);
    }
    // A hand-set position is the expected one of the next page, exactly as read.
    const next = page(1);
    await sink.write({ events: next, commit: { position: after(next), expected: await sink.positions!.read() } });
    await sink.positions!.set(null);
    expect(await sink.positions!.read()).toBeNull();
    expect(await other.positions!.read()).toStrictEqual(positions[0]);
  });

  it('reads no position, and creates nothing, before the sink was ever opened', async () => {
    const sink = make();
    expect(await sink.positions!.read()).toBeNull();
    expect((await admin.query('select 1 from pg_namespace where nspname = $1', [schema])).rowCount).toBe(0);
  });

  it('refuses a stored filter it did not write instead of reading it as no filter', async () => {
    const sink = make();
    await sink.positions!.set({ id: 'event_1', createdAt: null, filter: FILTER });
    await admin.query(`update ${variant.positions(schema)} set filter = '{"types": []}'`);
    expect(await failure(sink.positions!.read())).toMatchObject({ code: 'WES_ERR_CURSOR_CORRUPT' });
  });

  it('writes without a commit as before, leaving the position alone', async () => {
    const sink = make();
    const first = page(3);
    await sink.write({ events: first });
    await sink.write({ events: first });
    await sink.write({ events: [] });
    expect(await count()).toBe(3);
    expect(await sink.positions!.read()).toBeNull();
    await sink.positions!.set(after(first));
    await sink.write({ events: page(2) });
    expect(await count()).toBe(5);
    expect(await sink.positions!.read()).toEqual(after(first));
  });
});

afterAll(async () => {
  await admin.end();
});
