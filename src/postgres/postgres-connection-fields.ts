import { z } from 'zod';
import { urlField } from '../validation/url-field.js';

/** Connection fields every Postgres-backed sink has; spread into its strict config schema. */
export const postgresConnectionFields = {
  // The host may be left out, as pg allows: "postgres://wes@/app?host=/var/run/postgresql" (a socket), or PGHOST.
  url: urlField({ schemes: ['postgres', 'postgresql'], example: 'postgres://wes:${PGPASSWORD}@db:5432/app', hostOptional: true })
    .describe('Connection string, postgres:// or postgresql://, e.g. "postgres://wes:${PGPASSWORD}@db:5432/app?sslmode=require"; without a host, pg uses ?host= (a socket directory), PGHOST or localhost. Put the password in with ${VAR}; logs show the URL with the password masked. Parameters such as sslmode and application_name go in the query string; connections are named workos-events-sync unless it sets application_name. Required.'),
  poolSize: z.int().min(1).max(100).default(2)
    .describe('Most connections open at once. Default 2.'),
  connectTimeoutMs: z.int().min(100).max(300_000).default(5_000)
    .describe('How long to wait for a connection, in ms, before failing as retryable. Also bounds the readiness probe (select 1). Default 5000.'),
  statementTimeoutMs: z.int().min(100).max(3_600_000).default(30_000)
    .describe('The server\'s statement_timeout for every statement, including the wait for a lock, in ms; the client gives up 2000 ms later if the server stops answering. Default 30000.'),
};
