import { DatabaseError } from 'pg';
import { isWesError, WesError } from '../errors.js';

/**
 * The SQLSTATE of an error the server sent, or undefined for anything else (a socket error, a
 * timeout in the client, a pool that was ended). Only a server error carries one: node's errno
 * codes such as `EPIPE` look like SQLSTATEs, so the class is checked as well as the shape.
 */
export function sqlState(err: unknown): string | undefined {
  if (!(err instanceof DatabaseError)) return undefined;
  return typeof err.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : undefined;
}

/** SQLSTATE classes where the same statement can succeed later. */
const RETRYABLE_CLASSES = new Set([
  '08', // connection exception
  '40', // transaction rollback: serialization failure, deadlock
  '53', // insufficient resources: too many connections, disk full, out of memory
  '58', // system error: I/O error in the server
]);

/** Single SQLSTATEs outside those classes that also pass with time. */
const RETRYABLE_STATES = new Set([
  '57014', // query_canceled: statementTimeoutMs ran out (a lock held elsewhere, an overloaded server)
  '57P01', // admin_shutdown: the server is restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: the server is starting up or in recovery
  '55P03', // lock_not_available
  '25006', // read_only_sql_transaction: connected to a standby, as during a failover
]);

/**
 * Classifies a failure by SQLSTATE or its absence, never by message text:
 * - a SQLSTATE in RETRYABLE_CLASSES/RETRYABLE_STATES: unavailable, retryable;
 * - any other SQLSTATE (class 22 data exception such as 22P05 for `\u0000` in a jsonb string,
 *   23 integrity, 28 authentication, 3D000 unknown database, 42 syntax, undefined table,
 *   permission 42501): rejected, not retryable: retrying the same page will not help;
 * - no SQLSTATE (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, "Connection terminated", a connect
 *   or query timeout in the client, a pool that was ended): unavailable, retryable.
 * A WesError passes through unchanged. The original error is kept as `cause`.
 */
export function classifyPostgresError(sinkName: string, action: string, err: unknown): WesError {
  if (isWesError(err)) return err;
  const state = sqlState(err);
  const retryable = state === undefined || RETRYABLE_CLASSES.has(state.slice(0, 2)) || RETRYABLE_STATES.has(state);
  const errno = (err as { code?: unknown } | undefined)?.code;
  const reason = err instanceof Error ? err.message : String(err);
  const code = state ?? (typeof errno === 'string' ? errno : undefined);
  return new WesError(
    retryable ? 'WES_ERR_SINK_UNAVAILABLE' : 'WES_ERR_SINK_REJECTED',
    `sink "${sinkName}" could not ${action}: ${reason}${code ? ` (${code})` : ''}`,
    { retryable, cause: err },
  );
}
