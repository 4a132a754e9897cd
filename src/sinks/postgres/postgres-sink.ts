import type pg from 'pg';
import type { Logger } from 'pino';
import { redactUrl } from '../../observability/redact-url.js';
import type { Sink, SinkDefinition, SinkPage, SinkPositions } from '../sink.js';
import { classifyPostgresError } from '../../postgres/classify-postgres-error.js';
import { eventRow } from './event-row.js';
import { insertPage } from './insert-page.js';
import { runPostgresMigrations } from './postgres-migrations.js';
import { postgresTableNames, type PostgresTableNames } from './postgres-table.js';
import { PostgresSinkConnection } from '../../postgres/postgres-sink-connection.js';
import { PostgresSinkPositions } from '../../postgres/postgres-sink-positions.js';
import { postgresSinkConfigSchema, type PostgresSinkConfig } from './postgres-sink-config.js';
export { postgresSinkConfigSchema, type PostgresSinkConfig } from './postgres-sink-config.js';


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
