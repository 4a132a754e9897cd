import type { MirrorTableName } from './mirror-table-definitions.js';

/** What an event does to the mirror: upsert its object, or leave a tombstone. */
export interface MirrorRoute {
  readonly table: MirrorTableName;
  readonly action: 'upsert' | 'delete';
}

const route = (table: MirrorTableName, upserts: readonly string[], deletes: readonly string[]): Array<[string, MirrorRoute]> => [
  ...upserts.map((type): [string, MirrorRoute] => [type, { table, action: 'upsert' }]),
  ...deletes.map((type): [string, MirrorRoute] => [type, { table, action: 'delete' }]),
];

/**
 * Event type -> table and action, listed exactly: a type not listed (including new subtypes of a
 * routed prefix, such as `connection.saml_certificate_renewed`) carries no object state the
 * mirror keeps, and is only counted in `ignored_events`.
 */
const ROUTES: ReadonlyMap<string, MirrorRoute> = new Map([
  ...route('organizations', ['organization.created', 'organization.updated'], ['organization.deleted']),
  ...route('organization_domains', [
    'organization_domain.created', 'organization_domain.updated', 'organization_domain.verified', 'organization_domain.verification_failed',
  ], ['organization_domain.deleted']),
  ...route('users', ['user.created', 'user.updated'], ['user.deleted']),
  ...route('organization_memberships', ['organization_membership.created', 'organization_membership.updated'], ['organization_membership.deleted']),
  ...route('connections', ['connection.activated', 'connection.deactivated'], ['connection.deleted']),
  ...route('directories', ['dsync.activated', 'dsync.deactivated'], ['dsync.deleted']),
  ...route('directory_users', ['dsync.user.created', 'dsync.user.updated'], ['dsync.user.deleted']),
  ...route('directory_groups', ['dsync.group.created', 'dsync.group.updated'], ['dsync.group.deleted']),
  ...route('directory_group_memberships', ['dsync.group.user_added'], ['dsync.group.user_removed']),
]);

/** Where an event of this type goes, or undefined when the mirror ignores the type. */
export function routeEvent(eventType: string): MirrorRoute | undefined {
  return ROUTES.get(eventType);
}

/** Every routed event type, for documentation and tests. */
export const ROUTED_EVENT_TYPES: readonly string[] = [...ROUTES.keys()];

/**
 * The object an event describes. Almost always its `data`; `organization_domain.verification_failed`
 * wraps it: `{ reason, organization_domain }` (the SDK's deserializer reads it that way too).
 */
export function objectOfEvent(eventType: string, data: Record<string, unknown>): Record<string, unknown> {
  if (eventType === 'organization_domain.verification_failed') {
    const wrapped = data['organization_domain'];
    if (wrapped && typeof wrapped === 'object') return wrapped as Record<string, unknown>;
  }
  return data;
}
