import type { Pool, PoolClient } from 'pg';
import { sqlState } from './classify-postgres-error.js';

/**
 * Runs `work` inside BEGIN ... COMMIT on one pooled connection and resolves once COMMIT returns.
 * On failure it rolls back and rethrows the original error. A connection that failed for any
 * reason other than a server error (reset, timeout, terminated) is destroyed rather than returned
 * to the pool, since its state is unknown; the pool opens a fresh one next time.
 */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection that dies between statements emits 'error' on the client; while we hold it the
  // pool does not listen, and an unhandled 'error' event would end the process.
  const ignore = (): void => undefined;
  client.on('error', ignore);
  let destroy = false;
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (err) {
    // After a server error the connection is healthy and Postgres waits for ROLLBACK; after
    // anything else (no SQLSTATE) a query may still be running on it, so do not wait on it.
    destroy = sqlState(err) === undefined || (await client.query('rollback').then(() => false, () => true));
    throw err;
  } finally {
    client.off('error', ignore);
    client.release(destroy);
  }
}
