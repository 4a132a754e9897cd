// The mirror against a model of WorkOS objects: random lifecycles of every kind it keeps, the
// events generated from the model, delivered in pages of a random size with random replays and
// crash points; after each run the tables must equal what the model says, every column of
// every row, tombstones included (test/model/). CI runs a fixed seed; to run thousands:
//   FC_NUM_RUNS=5000 npx vitest run test/integration/sinks/postgres-mirror.property.test.ts
// (FC_SEED=<n> picks another seed; a failure prints the seed and the shrunk counterexample.)
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIRROR_TABLES } from '../../../src/sinks/postgres-mirror/mirror-tables.js';
import type { Sink } from '../../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../../src/workos/event.js';
import { WorkOSModel, OPERATION_NAMES, type Step } from '../../model/workos-model.js';
import { dumpMirror, mirrorSink, newMirrorSchema } from '../../support/mirror-schema.js';
import { POSTGRES_URL } from '../../support/services.js';

const RUNS = Number(process.env.FC_NUM_RUNS ?? 300);
const SEED = Number(process.env.FC_SEED ?? 20261201);

const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
const schema = newMirrorSchema('wes_mirror_property');
let sink: Sink;

beforeAll(async () => {
  sink = mirrorSink(schema, 'mirror-property');
  await sink.open();
});
afterAll(async () => {
  await sink.close();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

/** What happens after a page is written: nothing, a crash before the cursor moved (the page again), a replay of an earlier stretch. */
interface Delivery {
  readonly crash: 'none' | 'before-commit' | 'mid-write';
  /** A stretch of what was already delivered, sent again as one page: [start, length]. */
  readonly replay: readonly [number, number] | null;
  /** After a crash the daemon may come back with another page size. */
  readonly pageSize: number | null;
}

const step: fc.Arbitrary<Step> = fc.record({
  op: fc.constantFrom(...OPERATION_NAMES),
  a: fc.nat(50),
  b: fc.nat(50),
  flip: fc.boolean(),
  // A third of the steps in the same millisecond as the previous event.
  dt: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
});
// Objects are created often enough that there is something to change and delete.
const creations = OPERATION_NAMES.filter((name) => name.startsWith('create') || name.startsWith('activate'));
const steps = fc.array(fc.oneof({ arbitrary: step, weight: 3 }, { arbitrary: step.map((s) => ({ ...s, op: creations[s.a % creations.length]! })), weight: 2 }), { minLength: 5, maxLength: 60 });
const pageSize = fc.oneof(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 100 }));
const delivery: fc.Arbitrary<Delivery> = fc.record({
  crash: fc.constantFrom('none', 'none', 'none', 'before-commit', 'mid-write'),
  replay: fc.option(fc.tuple(fc.nat(200), fc.integer({ min: 1, max: 100 })), { freq: 4 }),
  pageSize: fc.option(pageSize, { freq: 3 }),
});

/** An event Postgres refuses (a NUL in a string): with it, the page's transaction fails as a process dying mid-write would leave it. */
const poison = (at: string): WorkOSEvent => ({ object: 'event', id: 'event_poison', event: 'user.updated', data: { object: 'user', id: 'user_poison', first_name: 'nul \u0000', updated_at: at }, created_at: at });

async function deliver(events: readonly WorkOSEvent[], size: number, schedule: readonly Delivery[]): Promise<void> {
  let position = 0;
  let pageSizeNow = size;
  for (let turn = 0; position < events.length; turn++) {
    const what = schedule.length > 0 ? schedule[turn % schedule.length]! : { crash: 'none', replay: null, pageSize: null };
    const page = events.slice(position, position + pageSizeNow);
    if (what.crash === 'mid-write' && turn < 200) {
      const broken = [...page];
      broken.splice(turn % (page.length + 1), 0, poison(page[0]!.created_at));
      await expect(sink.write({ events: broken })).rejects.toMatchObject({ code: 'WES_ERR_SINK_REJECTED' });
    } else {
      await sink.write({ events: page });
      // Crashed before the cursor moved: the same position again (bounded, so every run ends).
      if (what.crash === 'none' || turn >= 200) position += page.length;
    }
    if (what.crash !== 'none' && what.pageSize !== null) pageSizeNow = what.pageSize;
    if (what.replay && position > 0) {
      const start = what.replay[0] % position;
      await sink.write({ events: events.slice(start, Math.min(position, start + what.replay[1])) });
    }
  }
}

describe('the postgres_mirror sink against a model of WorkOS objects', () => {
  it('ends equal to the model, every column of every row, for any page size, replays and crash points', { timeout: Math.max(60_000, RUNS * 1000) }, async () => {
    await fc.assert(
      fc.asyncProperty(steps, pageSize, fc.array(delivery, { maxLength: 8 }), async (script, size, schedule) => {
        await admin.query(`truncate ${[...MIRROR_TABLES.map((t) => t.name), 'ignored_events'].map((t) => `"${schema}"."${t}"`).join(', ')}`);
        const model = new WorkOSModel().run(script);
        await deliver(model.events as WorkOSEvent[], size, schedule);
        expect(await dumpMirror(admin, schema)).toEqual(model.expected.dump());
        const ignored = (await admin.query(`select * from "${schema}".ignored_events order by event_type`)).rows.map((r: Record<string, unknown>) => ({ ...r, last_event_at: (r['last_event_at'] as Date).toISOString() }));
        expect(ignored).toEqual([...model.expected.ignored.values()].sort((a, b) => (String(a['event_type']) < String(b['event_type']) ? -1 : 1)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
