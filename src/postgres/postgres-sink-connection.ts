import type pg from 'pg';
import type { Logger } from 'pino';
import { WesError } from '../errors.js';
import { classifyPostgresError } from './classify-postgres-error.js';
import { createPostgresPool, type PostgresConnectionConfig } from './postgres-pool.js';

/**
 * What the two Postgres sinks (`postgres`, `postgres_mirror`) share: a small pool, created on
 * first use; their schema prepared once by `migrate` (memoized; a failure is forgotten so the next
 * open or write tries again); a probe; and a close that waits for the write in flight. Broken
 * connections are dropped by the pool and replaced on the next checkout, so a sink recovers on
 * its own when the server comes back.
 */
export class PostgresSinkConnection {
  private pool: pg.Pool | undefined;
  private migrated: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly sinkName: string,
    private readonly config: PostgresConnectionConfig,
    private readonly logger: Logger,
    /** Brings the sink's tables up to date; throws a classified error (see classifyPostgresError). */
    private readonly migrate: (pool: pg.Pool) => Promise<void>,
  ) {}

  open(): Promise<void> {
    const pool = this.ensurePool();
    if (!this.migrated) {
      const migrated: Promise<void> = this.migrate(pool).catch((err: unknown) => {
        if (this.migrated === migrated) this.migrated = undefined;
        throw err;
      });
      this.migrated = migrated;
    }
    return this.migrated;
  }

  /**
   * Opens if needed, then runs `work` on the pool; a failure is classified as failing to `action`.
   * With `migrate: false` it only makes the pool: for a read that must not create the schema
   * (`cursor show`, `check` read positions before any sink is opened).
   */
  async run<T>(action: string, work: (pool: pg.Pool) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
    if (this.closed) throw this.closedError();
    if (options.migrate === false) this.ensurePool();
    else await this.open();
    const pool = this.pool;
    if (!pool || this.closed) throw this.closedError();
    try {
      return await work(pool);
    } catch (err) {
      throw classifyPostgresError(this.sinkName, action, err);
    }
  }

  probe(): Promise<void> {
    // query_timeout is a pg query option its type declarations leave out.
    return this.run('reach Postgres', async (pool) => {
      await pool.query({ text: 'select 1', query_timeout: this.config.connectTimeoutMs } as pg.QueryConfig);
    });
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      const pool = this.pool;
      this.pool = undefined;
      this.migrated = undefined;
      // end() waits for checked-out connections: a write in flight finishes (or fails) first.
      await pool?.end().catch((err: unknown) => this.logger.warn({ sink: this.sinkName, err }, 'closing the Postgres pool failed'));
    })();
    return this.closing;
  }

  private ensurePool(): pg.Pool {
    this.closed = false;
    this.closing = undefined;
    return (this.pool ??= createPostgresPool(this.config, this.logger, this.sinkName));
  }

  private closedError(): WesError {
    return new WesError('WES_ERR_SINK_UNAVAILABLE', `sink "${this.sinkName}" is closed`, { retryable: true });
  }
}
