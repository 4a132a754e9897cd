import { migrationLockKey, quoteIdentifier, SQL_IDENTIFIER } from '../../postgres/sql-names.js';

export { MAX_SCHEMA_NAME_LENGTH } from '../../postgres/sql-names.js';

/**
 * Every SQL name the mirror uses in one schema, already quoted. The config only lets through
 * names matching SQL_IDENTIFIER and quoting is applied anyway, so no name can be read as SQL.
 * Quoting keeps the case: `Mirror` and `mirror` are different schemas.
 */
export interface MirrorNames {
  readonly schema: string;
  /** `"schema"`. */
  readonly quotedSchema: string;
  /** `"schema"."table"` for a table of the mirror (or one a later migration adds). */
  table(name: string): string;
  /** `"schema"."schema_migrations"`. */
  readonly migrations: string;
  /** `"schema"."ignored_events"`. */
  readonly ignoredEvents: string;
  /** `"schema"."sync_positions"`: each sink's position in the stream, moved with its pages. */
  readonly positions: string;
  /**
   * Key of the transaction-scoped advisory lock that serialises migrations. It is the key the
   * `postgres` sink derives for the same schema, so the two sinks opening on one new schema take
   * turns instead of racing to create it.
   */
  readonly lockKey: string;
}

export function mirrorNames(schema: string): MirrorNames {
  // The config schema already refuses such names; this guards callers that skip it (reconcile).
  if (!SQL_IDENTIFIER.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  const s = quoteIdentifier(schema);
  const table = (name: string): string => {
    if (!SQL_IDENTIFIER.test(name)) throw new Error(`invalid table name ${JSON.stringify(name)}`);
    return `${s}.${quoteIdentifier(name)}`;
  };
  return {
    schema,
    quotedSchema: s,
    table,
    migrations: table('schema_migrations'),
    ignoredEvents: table('ignored_events'),
    positions: table('sync_positions'),
    lockKey: migrationLockKey(schema),
  };
}
