import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { urlField } from '../config/url-field.js';

/** Connection fields every Postgres-backed sink has; spread into its strict config schema. */
export const postgresConnectionFields = {
  // The host may be left out, as pg allows: "postgres://wes@/app?host=/var/run/postgresql" (a socket), or PGHOST.
  url: urlField({ schemes: ['postgres', 'postgresql'], example: 'postgres://wes:${PGPASSWORD}@db:5432/app', hostOptional: true })
    .describe('Connection string, e.g. "postgres://wes:${PGPASSWORD}@db:5432/app?sslmode=require"; without a host, pg uses ?host= (a socket directory), PGHOST or localhost. Put the password in with ${VAR}; it is never logged. Required.'),
  poolSize: z.int().min(1).max(100).default(2)
    .describe('Most connections open at once. Default 2.'),
  connectTimeoutMs: z.int().min(100).max(300_000).default(5_000)
    .describe('How long to wait for a connection, in ms, before failing as retryable. Also bounds probe(). Default 5000.'),
  statementTimeoutMs: z.int().min(100).max(3_600_000).default(30_000)
    .describe('Server-side statement_timeout, in ms; the client gives up 2000 ms later if the server stops answering. Default 30000.'),
};

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
