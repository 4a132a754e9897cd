import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIRROR_TABLES } from '../../src/sinks/postgres-mirror/mirror-tables.js';
import { createSinks } from '../../src/sinks/create-sinks.js';
import { parseConfig } from '../../src/config/load.js';
import { applyLifecycle } from '../fakes/lifecycle.js';
import { createPrng } from '../fakes/prng.js';
import { runCli, spawnCli } from '../support/cli-process.js';
import { POSTGRES_URL } from '../support/harness.js';
import { mirrorAndFakeState } from '../support/mirror-state.js';
import { useWorld } from '../support/world.js';

const EVENTS = 3000;
const PAGE_SIZE = 20;
const KILLS = 20;

// A short lease, so that a restart after SIGKILL takes over quickly.
const w = useWorld({ pageSize: PAGE_SIZE, schedule: '* * * * * *', leader: { ttlMs: 1000, renewIntervalMs: 300 } });
const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });

let schema: string;
let mirrorSchema: string;

beforeEach(() => {
  schema = `wes_exactly_once_${randomBytes(6).toString('hex')}`;
  mirrorSchema = `${schema}_mirror`;
});
afterEach(async () => {
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.query(`drop schema if exists "${mirrorSchema}" cascade`);
});
afterAll(async () => {
  await admin.end();
});

/**
 * A test-only trigger on every table the sinks insert into, logging each row a committed
 * statement proposed (with `on conflict`, a row already there is proposed, and logged, too),
 * keyed by the event behind it. A page applied twice, even one whose rows the primary key
 * swallows, proposes its rows twice; a statement rolled back logs nothing.
 */
async function logProposedRows(): Promise<void> {
  await admin.query(`create table "${schema}".proposed (tbl text not null, row_id text not null, event_id text not null)`);
  await admin.query(`create function "${schema}".log_proposed() returns trigger language plpgsql as $$
    begin
      insert into "${schema}".proposed values (tg_table_name, new.id, coalesce(to_jsonb(new) ->> 'last_event_id', new.id));
      return new;
    end $$`);
  const tables = [`"${schema}".events`, ...MIRROR_TABLES.map((t) => `"${mirrorSchema}"."${t.name}"`)];
  for (const table of tables) await admin.query(`create trigger log_proposed before insert on ${table} for each row execute function "${schema}".log_proposed()`);
}

const count = async (sql: string): Promise<number> => Number((await admin.query<{ n: string }>(sql)).rows[0]!.n);

describe('exactly-once delivery into Postgres', () => {
  it('applies every page exactly once to postgres and postgres_mirror when run is killed with SIGKILL 20 times mid-drain and restarted', { timeout: 120_000 }, async () => {
    // Creates, updates and deletes of every kind the mirror keeps, plus events it ignores.
    applyLifecycle(w.fake, EVENTS, { seed: 21, start: new Date(Date.now() - 3 * 3_600_000) });
    const sinks = [
      { type: 'postgres', name: 'events', url: POSTGRES_URL, schema, table: 'events' },
      { type: 'postgres_mirror', name: 'mirror', url: POSTGRES_URL, schema: mirrorSchema },
    ];
    await w.writeConfig({ pageSize: PAGE_SIZE, schedule: '* * * * * *', sinks });
    // Open the sinks once here, so their tables exist for the triggers before the first page.
    for (const sink of createSinks(parseConfig({ sinks }, {}).sinks, { logger: pino({ level: 'silent' }), stdout: process.stdout })) {
      await sink.open();
      await sink.close();
    }
    await logProposedRows();

    // Slow enough that every kill lands mid-drain: 150 pages at ~30 ms each, after the first page
    // of each run, at a random moment of the page cycle (fetch, sink statements, Redis commit).
    w.fake.latencyMs = 30;
    const random = createPrng(7);
    let killsMidDrain = 0;
    for (let round = 0; round < KILLS; round++) {
      const p = spawnCli(['run', '--config', w.configPath], w.env);
      await p.waitForLog('delivered a page');
      await new Promise((r) => setTimeout(r, Math.floor(random() * 250)));
      p.child.kill('SIGKILL');
      await p.exited;
      if ((await count(`select count(*) as n from "${schema}".events`)) < EVENTS) killsMidDrain++;
    }
    expect(killsMidDrain).toBe(KILLS);
    w.fake.latencyMs = 0;
    const finish = await runCli(['once', '--config', w.configPath], w.env);
    expect(finish.code, finish.stderr).toBe(0);

    // Every event once, none missing, in order.
    const { rows } = await admin.query<{ id: string }>(`select id from "${schema}".events order by created_at, id`);
    expect(rows.map((r) => r.id)).toEqual(w.fake.events.map((e) => e.id));
    // No page was applied twice: each event's rows were proposed once by committed statements.
    expect(await count(`select count(*) as n from "${schema}".proposed where tbl = 'events'`)).toBe(EVENTS);
    const repeated = await admin.query(`select tbl, row_id, event_id, count(*)::int as n from "${schema}".proposed group by 1, 2, 3 having count(*) > 1`);
    expect(repeated.rows).toEqual([]);
    expect(await count(`select count(distinct event_id) as n from "${schema}".proposed where tbl <> 'events'`)).toBeGreaterThan(EVENTS / 2);

    // Each sink's own position says the last event, and the store's copy agrees.
    const last = w.fake.events.at(-1)!;
    const position = { event_id: last.id, event_created_at: last.created_at, filter: { events: [], organizationId: null } };
    const positions = (table: string) => admin.query(`select sink, event_id, event_created_at, filter from ${table}`).then((r) => r.rows);
    expect(await positions(`"${schema}".events_positions`)).toEqual([{ sink: 'events', ...position }]);
    expect(await positions(`"${mirrorSchema}".sync_positions`)).toEqual([{ sink: 'mirror', ...position }]);
    expect((await w.storedCursor())?.id).toBe(last.id);

    // The mirror holds what WorkOS lists now.
    const { mirror, fake } = await mirrorAndFakeState(admin, mirrorSchema, w.fake);
    expect(mirror).toEqual(fake);
  });
});
