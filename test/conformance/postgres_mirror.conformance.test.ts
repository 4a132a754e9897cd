import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import { postgresMirrorSink, postgresMirrorSinkConfigSchema } from '../../src/sinks/postgres-mirror/postgres-mirror-sink.js';
import type { SinkPage } from '../../src/sinks/sink.js';
import type { WorkOSEvent } from '../../src/workos/event.js';
import { createEventIdGenerator } from '../fakes/event-ids.js';
import { createPrng } from '../fakes/prng.js';
import { describeSinkConformance } from './sink-conformance.js';
import { POSTGRES_URL, postgresAddress, postgresUrlVia } from '../support/services.js';

const schema = `wes_mirror_conformance_${randomBytes(6).toString('hex')}`;
const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });

afterAll(async () => {
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

/**
 * The mirror keeps objects, not events: with one new user per event, each event is one row of
 * `users`, holding the event's data, id and created_at, so the suite can read the events back.
 */
function userPage(n: number, seed: number): SinkPage {
  const nextId = createEventIdGenerator(createPrng(seed));
  const start = Date.now() - n * 1000;
  const events: WorkOSEvent[] = Array.from({ length: n }, (_, i) => {
    const at = new Date(start + i * 1000);
    const id = nextId(at.getTime());
    const data = { object: 'user', id: `user_${id}`, email: `${id}@example.com`, first_name: 'Ada', last_name: null, email_verified: true, created_at: at.toISOString(), updated_at: at.toISOString() };
    return { object: 'event', id, event: 'user.created', data, created_at: at.toISOString() };
  });
  return { events };
}

describeSinkConformance('postgres_mirror', async () => {
  const present = async (table: string): Promise<boolean> =>
    Boolean((await admin.query<{ t: string | null }>('select to_regclass($1) as t', [`"${schema}".${table}`])).rows[0]?.t);
  return {
    service: postgresAddress(),
    createSink: (address) => {
      const config = postgresMirrorSinkConfigSchema.parse({ type: 'postgres_mirror', url: postgresUrlVia(address), schema, connectTimeoutMs: 2000 });
      return postgresMirrorSink.create(config, 'mirror-test', { logger: pino({ level: 'silent' }), stdout: process.stdout });
    },
    samplePage: userPage,
    readBack: async () => {
      if (!(await present('users'))) return [];
      const { rows } = await admin.query<{ id: string; raw: Record<string, unknown>; at: Date }>(
        `select last_event_id as id, raw, last_event_at as at from "${schema}".users order by last_event_at, last_event_id collate "C"`,
      );
      return rows.map((r) => ({ object: 'event', id: r.id, event: 'user.created', data: r.raw, created_at: r.at.toISOString() }));
    },
    // text refuses the NUL character (SQLSTATE 22021), as jsonb does inside a string (22P05).
    rejectedPage: () => {
      const [event] = userPage(1, 7).events;
      return { events: [{ ...event!, data: { ...event!.data, email: 'a NUL \u0000 inside' } }] };
    },
    // Rows only: the tables must survive a cleanup in the middle of a test (the sink keeps
    // writing to them); the schema is dropped once, after the file.
    cleanup: async () => {
      for (const table of ['users', 'sync_positions']) {
        if (await present(table)) await admin.query(`delete from "${schema}".${table}`);
      }
    },
  };
});
