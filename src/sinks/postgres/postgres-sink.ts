import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { WesError } from '../../errors.js';
import { redactUrl } from '../../observability/redact-url.js';
import { sinkCommonFields } from '../sink-common-config.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import { classifyPostgresError } from './classify-postgres-error.js';
import { eventRow } from './event-row.js';
import { insertPage } from './insert-page.js';
import { runPostgresMigrations } from './postgres-migrations.js';
import { MAX_SCHEMA_NAME_LENGTH, MAX_TABLE_NAME_LENGTH, postgresTableNames, SQL_IDENTIFIER, type PostgresTableNames } from './postgres-table.js';

const identifier = (max: number) =>
  z.string().max(max).regex(SQL_IDENTIFIER, 'expected a SQL name: letters, digits and "_", not starting with a digit');

export const postgresSinkConfigSchema = z
  .strictObject({
    type: z.literal('postgres'),
    ...sinkCommonFields,
    url: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
      .describe('Connection string, e.g. "postgres://wes:${PGPASSWORD}@db:5432/app?sslmode=require". Put the password in with ${VAR}; it is never logged. Required.'),
    schema: identifier(MAX_SCHEMA_NAME_LENGTH).default('public')
      .describe('Schema of the table, created on open if missing. Case-sensitive (always quoted). Default "public".'),
    table: identifier(MAX_TABLE_NAME_LENGTH).default('workos_events')
      .describe('Table of events, created on open if missing, with "<table>_migrations" beside it. Case-sensitive (always quoted), at most 52 characters. Default "workos_events".'),
    poolSize: z.int().min(1).max(100).default(2)
      .describe('Most connections open at once. Default 2.'),
    connectTimeoutMs: z.int().min(100).max(300_000).default(5_000)
      .describe('How long to wait for a connection, in ms, before failing as retryable. Also bounds probe(). Default 5000.'),
    statementTimeoutMs: z.int().min(100).max(3_600_000).default(30_000)
      .describe('Server-side statement_timeout, in ms; the client gives up 2000 ms later if the server stops answering. Default 30000.'),
  })
  .describe('Inserts each event as a row (id, type, organization, created_at, the JSON as jsonb), one transaction per page, ignoring ids already stored.');

export type PostgresSinkConfig = z.infer<typeof postgresSinkConfigSchema>;

/** Margin after statement_timeout before the client stops waiting, so the server's cancel (57014) normally wins. */
const CLIENT_TIMEOUT_MARGIN_MS = 2_000;

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
    const pool = new pg.Pool({
      connectionString: this.config.url,
      max: this.config.poolSize,
      connectionTimeoutMillis: this.config.connectTimeoutMs,
      statement_timeout: this.config.statementTimeoutMs,
      query_timeout: this.config.statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
      // Notices a peer that vanished without a FIN (a dead load balancer) on idle connections.
      keepAlive: true,
      application_name: 'workos-events-sync',
    });
    // An idle connection that breaks (server restart, network cut) emits 'error' on the pool;
    // unhandled, that would end the process. The pool has already dropped it. The error carries
    // the whole pg client (`err.client`), so only its code and message are logged.
    pool.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      this.logger.warn({ sink: this.name, code, reason: err.message }, 'an idle Postgres connection failed; the pool will open a new one');
    });
    return pool;
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
