import type pg from 'pg';
import type { Logger } from 'pino';
import { WesError } from '../../errors.js';
import { redactUrl } from '../../observability/redact-url.js';
import type { Sink, SinkDefinition, SinkPage, SinkPositions } from '../sink.js';
import { classifyPostgresError } from '../../postgres/classify-postgres-error.js';
import { runMirrorMigrations } from './mirror-migrations.js';
import { mirrorNames, type MirrorNames } from './mirror-names.js';
import { MirrorEventError, planMirrorPage, writeMirrorPage, type MirrorPagePlan } from './write-mirror-page.js';
import { PostgresSinkConnection } from '../../postgres/postgres-sink-connection.js';
import { PostgresSinkPositions } from '../../postgres/postgres-sink-positions.js';
import { postgresMirrorSinkConfigSchema, type PostgresMirrorSinkConfig } from './postgres-mirror-sink-config.js';
export { postgresMirrorSinkConfigSchema, type PostgresMirrorSinkConfig } from './postgres-mirror-sink-config.js';


/**
 * Mirrors WorkOS objects into Postgres tables. `open()` runs the versioned migrations once (see
 * PostgresSinkConnection); `write()` applies a page in one transaction, one statement per table,
 * and only where an event is newer than the row, so a replayed page changes nothing. The sink
 * keeps its position in `sync_positions`, moved in the page's transaction (`SinkPage.commit`).
 */
class PostgresMirrorSink implements Sink {
  readonly type = 'postgres_mirror';
  readonly positions: SinkPositions;
  private readonly names: MirrorNames;
  private readonly connection: PostgresSinkConnection;

  constructor(readonly name: string, private readonly config: PostgresMirrorSinkConfig, private readonly logger: Logger) {
    this.names = mirrorNames(config.schema);
    this.connection = new PostgresSinkConnection(name, config, logger, (pool) => this.migrate(pool));
    this.positions = new PostgresSinkPositions(this.connection, { table: this.names.positions, sink: name });
  }

  open(): Promise<void> {
    return this.connection.open();
  }

  async write(page: SinkPage): Promise<void> {
    // With a commit even an empty page is written: its position must move.
    if (page.events.length === 0 && !page.commit) return;
    const plan = this.plan(page);
    const move = page.commit && { table: this.names.positions, sink: this.name, commit: page.commit };
    const { changed, cascaded, ignoredCounted } = await this.connection.run(
      `mirror ${page.events.length} events into ${this.names.quotedSchema}`,
      (pool) => writeMirrorPage(pool, this.names, plan, move),
    );
    this.logger.debug({ sink: this.name, count: page.events.length, changed, cascaded, ignored: plan.ignored.length, ignoredCounted }, 'mirrored a page');
  }

  probe(): Promise<void> {
    return this.connection.probe();
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** Routes and reduces the page before any I/O; an event the mirror cannot store rejects the page. */
  private plan(page: SinkPage): MirrorPagePlan {
    try {
      return planMirrorPage(page.events);
    } catch (err) {
      if (!(err instanceof MirrorEventError)) throw err;
      throw new WesError('WES_ERR_SINK_REJECTED', `sink "${this.name}": ${err.message}`, { cause: err });
    }
  }

  private async migrate(pool: pg.Pool): Promise<void> {
    try {
      const { applied, version, unknown } = await runMirrorMigrations(pool, this.names);
      const fields = { sink: this.name, url: redactUrl(this.config.url), schema: this.config.schema, applied, version };
      if (unknown.length > 0) this.logger.warn({ ...fields, unknown }, 'the mirror schema has migrations this release does not know (a newer release ran); writing anyway');
      else this.logger.info(fields, applied.length > 0 ? 'migrated the Postgres mirror' : 'Postgres mirror is up to date');
    } catch (err) {
      throw classifyPostgresError(this.name, `prepare the mirror schema ${this.names.quotedSchema}`, err);
    }
  }
}

/** The `postgres_mirror` sink: a Postgres copy of WorkOS objects, kept by the events. */
export const postgresMirrorSink: SinkDefinition<typeof postgresMirrorSinkConfigSchema> = {
  type: 'postgres_mirror',
  configSchema: postgresMirrorSinkConfigSchema,
  create: (config, name, context) => new PostgresMirrorSink(name, config, context.logger),
};
