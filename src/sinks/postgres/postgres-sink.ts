import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { WesError } from '../../errors.js';
import { redactUrl } from '../../observability/redact-url.js';
import { sinkCommonFields } from '../sink-common-config.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import { classifyPostgresError } from '../../postgres/classify-postgres-error.js';
import { eventRow } from './event-row.js';
import { insertPage } from './insert-page.js';
import { runPostgresMigrations } from './postgres-migrations.js';
import { MAX_SCHEMA_NAME_LENGTH, MAX_TABLE_NAME_LENGTH, postgresTableNames, SQL_IDENTIFIER, type PostgresTableNames } from './postgres-table.js';
import { createPostgresPool, postgresConnectionFields } from '../../postgres/postgres-pool.js';

const identifier = (max: number) =>
  z.string().max(max).regex(SQL_IDENTIFIER, 'expected a SQL name: letters, digits and "_", not starting with a digit');

export const postgresSinkConfigSchema = z
  .strictObject({
    type: z.literal('postgres'),
    ...sinkCommonFields,
    ...postgresConnectionFields,
    schema: identifier(MAX_SCHEMA_NAME_LENGTH).default('public')
      .describe('Schema of the table, created on open if missing. Case-sensitive (always quoted). Default "public".'),
    table: identifier(MAX_TABLE_NAME_LENGTH).default('workos_events')
      .describe('Table of events, created on open if missing, with "<table>_migrations" beside it. Case-sensitive (always quoted), at most 52 characters. Default "workos_events".'),
  })
  .describe('Inserts each event as a row (id, type, organization, created_at, the JSON as jsonb), one statement (one transaction) per page, ignoring ids already stored.');

export type PostgresSinkConfig = z.infer<typeof postgresSinkConfigSchema>;

/**
 * Writes pages into a Postgres table through a small pool. `open()` runs the migrations (once,
 * memoized; retried by the next open or write if it failed); `write()` inserts a page in one
 * transaction with `on conflict (id) do nothing`, so a replayed page adds nothing. Broken
 * connections are dropped by the pool and replaced on the next checkout, so the sink recovers on
 * its own when the server comes back.
 */
class PostgresSink implements Sink {
  readonly type = 'postgres';
  private readonly names: PostgresTableNames;
  private pool: pg.Pool | undefined;
  private migrated: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(readonly name: string, private readonly config: PostgresSinkConfig, private readonly logger: Logger) {
    this.names = postgresTableNames(config.schema, config.table);
  }

  open(): Promise<void> {
    this.closed = false;
    this.closing = undefined;
    const pool = (this.pool ??= this.createPool());
    if (!this.migrated) {
      const migrated: Promise<void> = this.migrate(pool).catch((err: unknown) => {
        // Forget the failure, so the next open() or write() tries again.
        if (this.migrated === migrated) this.migrated = undefined;
        throw err;
      });
      this.migrated = migrated;
    }
    return this.migrated;
  }

  async write(page: SinkPage): Promise<void> {
    if (page.events.length === 0) return;
    const rows = page.events.map((event) => eventRow(this.name, event));
    if (this.closed) throw this.closedError();
    await this.open();
    const pool = this.pool;
    if (!pool || this.closed) throw this.closedError();
    try {
      const inserted = await insertPage(pool, this.names.events, rows);
      this.logger.debug({ sink: this.name, count: rows.length, inserted }, 'inserted a page');
    } catch (err) {
      throw classifyPostgresError(this.name, `insert ${rows.length} events into ${this.names.events}`, err);
    }
  }

  async probe(): Promise<void> {
    if (this.closed) throw this.closedError();
    await this.open();
    const pool = this.pool;
    if (!pool) throw this.closedError();
    try {
      // query_timeout is a pg query option its type declarations leave out.
      await pool.query({ text: 'select 1', query_timeout: this.config.connectTimeoutMs } as pg.QueryConfig);
    } catch (err) {
      throw classifyPostgresError(this.name, 'reach Postgres', err);
    }
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      const pool = this.pool;
      this.pool = undefined;
      this.migrated = undefined;
      // end() waits for checked-out connections: a write in flight finishes (or fails) first.
      await pool?.end().catch((err: unknown) => this.logger.warn({ sink: this.name, err }, 'closing the Postgres pool failed'));
    })();
    return this.closing;
  }

  private createPool(): pg.Pool {
    return createPostgresPool(this.config, this.logger, this.name);
  }

  private async migrate(pool: pg.Pool): Promise<void> {
    try {
      const { applied, version } = await runPostgresMigrations(pool, this.names);
      this.logger.info({ sink: this.name, url: redactUrl(this.config.url), table: this.names.events, applied, version }, applied.length > 0 ? 'migrated the Postgres table' : 'Postgres table is up to date');
    } catch (err) {
      throw classifyPostgresError(this.name, `prepare ${this.names.events}`, err);
    }
  }

  private closedError(): WesError {
    return new WesError('WES_ERR_SINK_UNAVAILABLE', `sink "${this.name}" is closed`, { retryable: true });
  }
}

export const postgresSink: SinkDefinition<typeof postgresSinkConfigSchema> = {
  type: 'postgres',
  configSchema: postgresSinkConfigSchema,
  create: (config, name, context) => new PostgresSink(name, config, context.logger),
};
