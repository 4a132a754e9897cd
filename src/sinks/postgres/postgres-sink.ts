import type pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { redactUrl } from '../../observability/redact-url.js';
import { sinkCommonFields } from '../sink-common-config.js';
import type { Sink, SinkDefinition, SinkPage, SinkPositions } from '../sink.js';
import { classifyPostgresError } from '../../postgres/classify-postgres-error.js';
import { eventRow } from './event-row.js';
import { insertPage } from './insert-page.js';
import { runPostgresMigrations } from './postgres-migrations.js';
import { MAX_SCHEMA_NAME_LENGTH, MAX_TABLE_NAME_LENGTH, postgresTableNames, type PostgresTableNames } from './postgres-table.js';
import { sqlNameField } from '../../postgres/sql-names.js';
import { postgresConnectionFields } from '../../postgres/postgres-pool.js';
import { PostgresSinkConnection } from '../../postgres/postgres-sink-connection.js';
import { PostgresSinkPositions } from '../../postgres/postgres-sink-positions.js';

export const postgresSinkConfigSchema = z
  .strictObject({
    type: z.literal('postgres'),
    ...sinkCommonFields,
    ...postgresConnectionFields,
    schema: sqlNameField(MAX_SCHEMA_NAME_LENGTH).default('public')
      .describe('Schema of the table, created on open if missing. Case-sensitive (always quoted). Default "public".'),
    table: sqlNameField(MAX_TABLE_NAME_LENGTH).default('workos_events')
      .describe('Table of events, created on open if missing, with "<table>_migrations" and "<table>_positions" beside it. Case-sensitive (always quoted), at most 52 characters. Default "workos_events".'),
  })
  .describe('Inserts each event as a row (id, type, organization, created_at, the JSON as jsonb), one statement (one transaction) per page, ignoring ids already stored, and keeps its position in "<table>_positions" in that same statement (exactly-once).');

export type PostgresSinkConfig = z.infer<typeof postgresSinkConfigSchema>;

/**
 * Writes pages into a Postgres table. `open()` runs the migrations once (see
 * PostgresSinkConnection); `write()` inserts a page with one statement and
 * `on conflict (id) do nothing`, so a replayed page adds nothing. The sink keeps its position in
 * `<table>_positions`: a page with `commit` moves it in that same statement, compare-and-set, so
 * a page is applied exactly once and a second writer's copy is refused whole.
 */
class PostgresSink implements Sink {
  readonly type = 'postgres';
  readonly positions: SinkPositions;
  private readonly names: PostgresTableNames;
  private readonly connection: PostgresSinkConnection;

  constructor(readonly name: string, private readonly config: PostgresSinkConfig, private readonly logger: Logger) {
    this.names = postgresTableNames(config.schema, config.table);
    this.connection = new PostgresSinkConnection(name, config, logger, (pool) => this.migrate(pool));
    this.positions = new PostgresSinkPositions(this.connection, { table: this.names.positions, sink: name });
  }

  open(): Promise<void> {
    return this.connection.open();
  }

  async write(page: SinkPage): Promise<void> {
    // With a commit even an empty page is written: its position must move.
    if (page.events.length === 0 && !page.commit) return;
    const rows = page.events.map((event) => eventRow(this.name, event));
    const move = page.commit && { table: this.names.positions, sink: this.name, commit: page.commit };
    const inserted = await this.connection.run(`insert ${rows.length} events into ${this.names.events}`, (pool) => insertPage(pool, this.names.events, rows, move));
    this.logger.debug({ sink: this.name, count: rows.length, inserted, position: page.commit?.position.id }, 'inserted a page');
  }

  probe(): Promise<void> {
    return this.connection.probe();
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  private async migrate(pool: pg.Pool): Promise<void> {
    try {
      const { applied, version } = await runPostgresMigrations(pool, this.names);
      this.logger.info({ sink: this.name, url: redactUrl(this.config.url), table: this.names.events, applied, version }, applied.length > 0 ? 'migrated the Postgres table' : 'Postgres table is up to date');
    } catch (err) {
      throw classifyPostgresError(this.name, `prepare ${this.names.events}`, err);
    }
  }
}

export const postgresSink: SinkDefinition<typeof postgresSinkConfigSchema> = {
  type: 'postgres',
  configSchema: postgresSinkConfigSchema,
  create: (config, name, context) => new PostgresSink(name, config, context.logger),
};
