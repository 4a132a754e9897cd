import type { Pool, PoolClient } from 'pg';
import type { PostgresTableNames } from './postgres-table.js';
import { positionsTableDefinition } from '../../postgres/positions-table.js';
import { withTransaction } from '../../postgres/with-transaction.js';

/** One schema change, applied once per table and recorded in `<table>_migrations`. */
export interface PostgresMigration {
  readonly version: number;
  readonly description: string;
  statements(names: PostgresTableNames): readonly string[];
}

/**
 * The migrations, oldest first. Never edit one that has shipped: add the next version instead.
 * Statements are written to be harmless if the objects already exist (a table created by hand,
 * or a migrations table lost), since `if not exists` costs nothing here.
 */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'events table with indexes by type and by organization',
    statements: (n) => [
      `create table if not exists ${n.events} (
        id text primary key,
        event_type text not null,
        organization_id text,
        created_at timestamptz not null,
        payload jsonb not null,
        received_at timestamptz not null default now()
      )`,
      `create index if not exists ${n.typeIndex} on ${n.events} (event_type, created_at)`,
      `create index if not exists ${n.organizationIndex} on ${n.events} (organization_id, created_at)`,
    ],
  },
  {
    version: 2,
    description: 'positions table: the sink\'s position stored in the same transaction as its pages (exactly-once)',
    statements: (n) => [positionsTableDefinition(n.positions)],
  },
];

export interface MigrationResult {
  /** Versions applied by this call (empty when the table was already up to date). */
  readonly applied: readonly number[];
  /** Highest version recorded in the database afterwards. */
  readonly version: number;
}

/**
 * Brings the table up to date in one transaction, under a transaction-scoped advisory lock, so
 * replicas opening at the same moment take turns and the second finds nothing left to do. When
 * everything is applied it only reads: a role with just SELECT and INSERT on the tables can run
 * the sink once someone with CREATE has run it once.
 */
export async function runPostgresMigrations(
  pool: Pool,
  names: PostgresTableNames,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<MigrationResult> {
  return withTransaction(pool, async (client) => {
    await client.query('select pg_advisory_xact_lock($1::bigint)', [names.lockKey]);
    await ensureMigrationsTable(client, names);
    const { rows } = await client.query<{ version: number }>(`select version from ${names.migrations}`);
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements(names)) await client.query(statement);
      await client.query(`insert into ${names.migrations} (version) values ($1)`, [migration.version]);
      applied.push(migration.version);
      done.add(migration.version);
    }
    return { applied, version: Math.max(0, ...done) };
  });
}

/**
 * Creates the schema and the migrations table only when missing. Checking first (rather than
 * `create ... if not exists`) matters: Postgres checks the CREATE privilege before it notices
 * that the object exists, so the plain form fails for a role without it.
 */
async function ensureMigrationsTable(client: PoolClient, names: PostgresTableNames): Promise<void> {
  const found = await client.query<{ present: boolean }>('select to_regclass($1) is not null as present', [names.migrations]);
  if (found.rows[0]?.present) return;
  const schema = await client.query('select 1 from pg_namespace where nspname = $1', [names.schema]);
  if (schema.rowCount === 0) await client.query(`create schema ${names.quotedSchema}`);
  await client.query(`create table ${names.migrations} (version int primary key, applied_at timestamptz not null default now())`);
}
