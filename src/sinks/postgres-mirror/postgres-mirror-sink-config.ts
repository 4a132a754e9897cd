import { z } from 'zod';
import { sinkCommonFields } from '../sink-common-config.js';
import { sqlNameField } from '../../postgres/sql-names.js';
import { postgresConnectionFields } from '../../postgres/postgres-connection-fields.js';
import { MAX_SCHEMA_NAME_LENGTH } from './mirror-names.js';

export const postgresMirrorSinkConfigSchema = z
  .strictObject({
    type: z.literal('postgres_mirror').describe('"postgres_mirror": tables of the WorkOS objects the events describe.'),
    ...sinkCommonFields,
    ...postgresConnectionFields,
    schema: sqlNameField(MAX_SCHEMA_NAME_LENGTH).default('workos_mirror')
      .describe('Schema holding the mirror tables, created if missing and upgraded on open; use one of its own (the sink creates its own schema_migrations table). A plain SQL name (letters, digits and _, not starting with a digit), case-sensitive (always quoted). Default "workos_mirror".'),
  })
  .describe('Keeps a Postgres copy of the WorkOS objects the events describe (organizations, users, memberships, connections, directories, directory users and groups), newest updated_at wins, deletes leave tombstones; one transaction per page, which also moves its position in "<schema>.sync_positions" (exactly-once).');

/** A parsed `postgres_mirror` sink config, defaults applied. */
export type PostgresMirrorSinkConfig = z.infer<typeof postgresMirrorSinkConfigSchema>;
