import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { MIRROR_TABLES } from '../../src/sinks/postgres-mirror/mirror-tables.js';
import { postgresMirrorSink, postgresMirrorSinkConfigSchema } from '../../src/sinks/postgres-mirror/postgres-mirror-sink.js';
import type { Sink } from '../../src/sinks/sink.js';
import { POSTGRES_URL } from './services.js';

export type Row = Record<string, unknown>;

/** A new schema name of its own per test, so tests running at the same time never meet. */
export function newMirrorSchema(prefix = 'wes_mirror_test'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function mirrorSink(schema: string, name = 'mirror-test'): Sink {
  const config = postgresMirrorSinkConfigSchema.parse({ type: 'postgres_mirror', url: POSTGRES_URL, schema });
  return postgresMirrorSink.create(config, name, { logger: pino({ level: 'silent' }), stdout: process.stdout });
}

const plain = (row: Row): Row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));

/**
 * Every mirror table of a schema, rows ordered by id, times as ISO strings, without `synced_at`
 * (the wall clock of the write, which differs between any two runs).
 */
export async function dumpMirror(pool: pg.Pool, schema: string): Promise<Record<string, Row[]>> {
  const out: Record<string, Row[]> = {};
  for (const { name } of MIRROR_TABLES) {
    const { rows } = await pool.query<Row>(`select * from "${schema}"."${name}" order by id collate "C"`);
    out[name] = rows.map((row) => {
      const { synced_at: _synced, ...rest } = plain(row);
      return rest;
    });
  }
  return out;
}

/**
 * Schemas and sinks made by a test, closed and dropped after it: `schema()` names a new one,
 * `sink(schema)` writes into it.
 */
export function useMirrorSchemas(admin: pg.Pool, afterEach: (fn: () => Promise<void>) => void): { schema(): string; sink(schema: string): Sink } {
  const schemas: string[] = [];
  const sinks: Sink[] = [];
  afterEach(async () => {
    for (const sink of sinks.splice(0)) await sink.close();
    for (const schema of schemas.splice(0)) await admin.query(`drop schema if exists "${schema}" cascade`);
  });
  return {
    schema() {
      const schema = newMirrorSchema();
      schemas.push(schema);
      return schema;
    },
    sink(schema) {
      const sink = mirrorSink(schema);
      sinks.push(sink);
      return sink;
    },
  };
}
