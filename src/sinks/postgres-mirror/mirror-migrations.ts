import type { Pool, PoolClient } from 'pg';
import type { MirrorNames } from './mirror-names.js';
import { positionsTableDefinition } from '../../postgres/positions-table.js';
import { withTransaction } from '../../postgres/with-transaction.js';

/** One schema change, applied once per schema and recorded in `<schema>.schema_migrations`. */
export interface MirrorMigration {
  readonly version: number;
  readonly description: string;
  statements(names: MirrorNames): readonly string[];
}

/**
 * Version 1, frozen: each table's own columns. (MIRROR_TABLES describes the current tables for
 * the code; a test checks that the migrations produce exactly those columns.)
 */
const V1_OWN_COLUMNS: ReadonlyArray<readonly [table: string, columns: string, indexed: readonly string[]]> = [
  ['organizations', 'name text, external_id text', []],
  ['organization_domains', 'organization_id text, domain text, state text, verification_strategy text', ['organization_id']],
  ['users', 'email text, first_name text, last_name text, email_verified boolean, external_id text', []],
  ['organization_memberships', 'organization_id text, user_id text, role_slug text, status text', ['organization_id']],
  ['connections', 'organization_id text, connection_type text, name text, state text', ['organization_id']],
  ['directories', 'organization_id text, type text, name text, state text, domain text', ['organization_id']],
  ['directory_users', 'directory_id text, organization_id text, idp_id text, email text, first_name text, last_name text, state text', ['organization_id', 'directory_id']],
  ['directory_groups', 'directory_id text, organization_id text, idp_id text, name text', ['organization_id', 'directory_id']],
  ['directory_group_memberships', 'directory_id text, directory_group_id text, directory_user_id text', ['directory_id']],
];

/**
 * The migrations, oldest first. Never edit one that has shipped: add the next version (a new
 * column, index or table) at the end. Each runs in its own transaction, so a failing later
 * version leaves the earlier ones applied and recorded.
 */
export const MIRROR_MIGRATIONS: readonly MirrorMigration[] = [
  {
    version: 1,
    description: 'a table per kind of WorkOS object, and ignored_events',
    statements: (n) => [
      ...V1_OWN_COLUMNS.flatMap(([table, columns, indexed]) => [
        `create table if not exists ${n.table(table)} (
          id text primary key,
          ${columns},
          raw jsonb not null,
          created_at timestamptz,
          updated_at timestamptz not null,
          deleted_at timestamptz,
          last_event_id text,
          last_event_at timestamptz not null,
          changed_by text not null check (changed_by in ('event', 'reconcile')),
          synced_at timestamptz not null default now()
        )`,
        // Index names are schema-local, so the table name keeps them unique.
        ...indexed.map((column) => `create index if not exists "${table}_${column}_idx" on ${n.table(table)} (${column})`),
      ]),
      // last_event_at/last_event_id: the newest event counted per type, so a replay counts nothing.
      `create table if not exists ${n.ignoredEvents} (
        event_type text primary key,
        count bigint not null,
        last_event_at timestamptz not null,
        last_event_id text not null
      )`,
    ],
  },
  {
    version: 2,
    description: 'sync_positions: the sink\'s position stored in the same transaction as its pages (exactly-once)',
    statements: (n) => [positionsTableDefinition(n.positions)],
  },
];

export interface MigrationResult {
  /** Versions applied by this call (empty when the schema was already up to date). */
  readonly applied: readonly number[];
  /** Highest version recorded in the database afterwards. */
  readonly version: number;
  /** Versions recorded in the database that this code does not know (a newer release ran). */
  readonly unknown: readonly number[];
}

/**
 * Brings the schema up to date. Every step takes a transaction-scoped advisory lock, so replicas
 * opening at the same moment take turns and the later one finds the step recorded. When
 * everything is applied it only reads: a role with just SELECT, INSERT and UPDATE on the tables
 * can run the sink once someone with CREATE has run it once.
 */
export async function runMirrorMigrations(pool: Pool, names: MirrorNames, migrations: readonly MirrorMigration[] = MIRROR_MIGRATIONS): Promise<MigrationResult> {
  migrations.forEach((m, i) => {
    if (!Number.isInteger(m.version) || m.version < 1 || (i > 0 && m.version <= migrations[i - 1]!.version)) {
      throw new Error(`mirror migrations must have increasing positive versions; found ${m.version} at position ${i}`);
    }
  });
  const done = await withTransaction(pool, async (client) => {
    await lock(client, names);
    await ensureMigrationsTable(client, names);
    return recordedVersions(client, names);
  });
  const applied: number[] = [];
  for (const migration of migrations) {
    if (done.has(migration.version)) continue;
    const ran = await withTransaction(pool, async (client) => {
      await lock(client, names);
      // Another replica may have applied it between our read and our lock.
      if ((await recordedVersions(client, names)).has(migration.version)) return false;
      for (const statement of migration.statements(names)) await client.query(statement);
      await client.query(`insert into ${names.migrations} (version) values ($1)`, [migration.version]);
      return true;
    });
    if (ran) applied.push(migration.version);
    done.add(migration.version);
  }
  const known = new Set(migrations.map((m) => m.version));
  return { applied, version: Math.max(0, ...done), unknown: [...done].filter((v) => !known.has(v)).sort((a, b) => a - b) };
}

function lock(client: PoolClient, names: MirrorNames): Promise<unknown> {
  return client.query('select pg_advisory_xact_lock($1::bigint)', [names.lockKey]);
}

async function recordedVersions(client: PoolClient, names: MirrorNames): Promise<Set<number>> {
  const { rows } = await client.query<{ version: number }>(`select version from ${names.migrations}`);
  return new Set(rows.map((r) => r.version));
}

/**
 * Creates the schema and the migrations table only when missing. Checking first (rather than
 * `create ... if not exists`) matters: Postgres checks the CREATE privilege before it notices
 * that the object exists, so the plain form fails for a role without it.
 */
async function ensureMigrationsTable(client: PoolClient, names: MirrorNames): Promise<void> {
  const found = await client.query<{ present: boolean }>('select to_regclass($1) is not null as present', [names.migrations]);
  if (found.rows[0]?.present) return;
  const schema = await client.query('select 1 from pg_namespace where nspname = $1', [names.schema]);
  if (schema.rowCount === 0) await client.query(`create schema ${names.quotedSchema}`);
  await client.query(`create table ${names.migrations} (version int primary key, applied_at timestamptz not null default now())`);
}
