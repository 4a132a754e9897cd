import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll } from 'vitest';
import { postgresSink, postgresSinkConfigSchema } from '../../src/sinks/postgres/postgres-sink.js';
import type { WorkOSEvent } from '../../src/workos/event.js';
import { describeSinkConformance, samplePage } from './sink-conformance.js';
import { POSTGRES_URL, postgresAddress, postgresUrlVia } from '../support/services.js';

const table = `workos_events_test_${randomBytes(6).toString('hex')}`;
const admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });

afterAll(async () => {
  await admin.query(`drop table if exists public."${table}", public."${table}_migrations", public."${table}_positions"`);
  await admin.end();
});

describeSinkConformance('postgres', async () => {
  return {
    service: postgresAddress(),
    createSink: (address) => {
      const config = postgresSinkConfigSchema.parse({ type: 'postgres', url: postgresUrlVia(address), table, connectTimeoutMs: 2000 });
      return postgresSink.create(config, 'postgres-test', { logger: pino({ level: 'silent' }), stdout: process.stdout });
    },
    readBack: async () => {
      const exists = await admin.query<{ t: string | null }>('select to_regclass($1) as t', [`public."${table}"`]);
      if (!exists.rows[0]?.t) return [];
      const { rows } = await admin.query<{ payload: WorkOSEvent }>(`select payload from public."${table}" order by created_at, id`);
      return rows.map((r) => r.payload);
    },
    // jsonb refuses the NUL character inside a string (SQLSTATE 22P05): the service's own refusal.
    rejectedPage: () => {
      const [event] = samplePage(1, 7).events;
      return { events: [{ ...event!, data: { ...event!.data, note: 'a NUL \u0000 inside' } }] };
    },
    // Rows only, of the events and the positions: the tables must survive a cleanup in the middle
    // of a test (the sink keeps writing to them); they are dropped once, after the file.
    cleanup: async () => {
      for (const name of [table, `${table}_positions`]) {
        const exists = await admin.query<{ t: string | null }>('select to_regclass($1) as t', [`public."${name}"`]);
        if (exists.rows[0]?.t) await admin.query(`delete from public."${name}"`);
      }
    },
  };
});
