import { migrationLockKey, quoteIdentifier, SQL_IDENTIFIER } from '../../postgres/sql-names.js';

export { MAX_SCHEMA_NAME_LENGTH } from '../../postgres/sql-names.js';

/** Postgres cuts identifiers at 63 bytes; `<table>_migrations` (and `<table>_positions`) must fit, so the table name gets 52. */
export const MAX_TABLE_NAME_LENGTH = 52;

/**
 * Every SQL name the sink uses for one configured schema and table, already quoted. The config
 * schema only lets through names matching SQL_IDENTIFIER, and `quoteIdentifier` quotes anyway, so
 * no name can ever be read as SQL. Quoting keeps the case: `Events` is a different table from
 * `events`.
 */
export interface PostgresTableNames {
  readonly schema: string;
  readonly table: string;
  /** `"schema"`. */
  readonly quotedSchema: string;
  /** `"schema"."table"`: the events. */
  readonly events: string;
  /** `"schema"."table_migrations"`: the versions applied to it. */
  readonly migrations: string;
  /** `"schema"."table_positions"`: each sink's position in the stream, moved with its pages. */
  readonly positions: string;
  readonly typeIndex: string;
  readonly organizationIndex: string;
  /**
   * Key of the transaction-scoped advisory lock that serialises migrations. It is per schema, not
   * per table, so two sinks creating different tables in one new schema do not race on the schema.
   */
  readonly lockKey: string;
}

export function postgresTableNames(schema: string, table: string): PostgresTableNames {
  for (const [what, name] of [['schema', schema], ['table', table]] as const) {
    // The config schema already refuses these; this guards callers that skip it.
    if (!SQL_IDENTIFIER.test(name)) throw new Error(`invalid ${what} name ${JSON.stringify(name)}`);
  }
  const s = quoteIdentifier(schema);
  return {
    schema,
    table,
    quotedSchema: s,
    events: `${s}.${quoteIdentifier(table)}`,
    migrations: `${s}.${quoteIdentifier(`${table}_migrations`)}`,
    positions: `${s}.${quoteIdentifier(`${table}_positions`)}`,
    // Index names are schema-local, so the table name alone keeps them unique.
    typeIndex: quoteIdentifier(`${table}_type_idx`),
    organizationIndex: quoteIdentifier(`${table}_org_idx`),
    lockKey: migrationLockKey(schema),
  };
}
