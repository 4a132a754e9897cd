import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Names Postgres accepts unquoted (before case folding): letters, digits and `_`, not starting with a digit. */
export const SQL_IDENTIFIER = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Postgres cuts identifiers at 63 bytes. */
export const MAX_SCHEMA_NAME_LENGTH = 63;

/** A config field holding a schema or table name of at most `max` characters (see SQL_IDENTIFIER). */
export function sqlNameField(max: number) {
  return z.string().max(max).regex(SQL_IDENTIFIER, 'expected a SQL name: letters, digits and "_", not starting with a digit');
}

/** Double-quotes a name for SQL, doubling any quote inside it. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Key of the transaction-scoped advisory lock that serialises migrations of one schema, the same
 * for every sink: the `postgres` and `postgres_mirror` sinks opening on one new schema take turns
 * instead of racing to create it. A stable signed 64-bit key, as a decimal string (a `bigint` parameter).
 */
export function migrationLockKey(schema: string): string {
  return createHash('sha256').update(`workos-events-sync:migrate:${schema}`).digest().readBigInt64BE(0).toString();
}
