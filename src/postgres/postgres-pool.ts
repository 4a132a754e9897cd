import pg from 'pg';
import type { Logger } from 'pino';

export interface PostgresConnectionConfig {
  readonly url: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

/** Margin after statement_timeout before the client stops waiting, so the server's cancel (57014) normally wins. */
const CLIENT_TIMEOUT_MARGIN_MS = 2_000;

/**
 * A small pool for one sink. Broken connections are dropped and replaced on the next checkout, so
 * the sink recovers on its own when the server comes back.
 */
export function createPostgresPool(config: PostgresConnectionConfig, logger: Logger, sinkName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolSize,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    query_timeout: config.statementTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
    // Notices a peer that vanished without a FIN (a dead load balancer) on idle connections.
    keepAlive: true,
    application_name: 'workos-events-sync',
  });
  // An idle connection that breaks (server restart, network cut) emits 'error' on the pool;
  // unhandled, that would end the process. The pool has already dropped it. The error carries
  // the whole pg client (`err.client`), so only its code and message are logged.
  pool.on('error', (err) => {
    const code = (err as { code?: unknown }).code;
    logger.warn({ sink: sinkName, code, reason: err.message }, 'an idle Postgres connection failed; the pool will open a new one');
  });
  return pool;
}
