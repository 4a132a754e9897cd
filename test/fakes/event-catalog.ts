/**
 * Event types WorkOS documents (spec 0.1.0 plus the emulator's newer list), as summarised in
 * shared/workos/events-api.md. The fake rejects other types in the `events` filter with 422,
 * as the real API does; events of types outside this list may still be stored and served.
 */
export const WORKOS_EVENT_TYPES: readonly string[] = Object.freeze([
  ...expand('dsync', ['activated', 'deactivated', 'deleted']),
  ...expand('dsync.user', ['created', 'updated', 'deleted']),
  ...expand('dsync.group', ['created', 'updated', 'deleted', 'user_added', 'user_removed']),
  ...expand('dsync.token', ['created', 'revoked']),
  ...expand('user', ['created', 'updated', 'deleted']),
  ...expand('session', ['created', 'revoked']),
  ...expand('organization', ['created', 'updated', 'deleted']),
  ...expand('organization_membership', ['created', 'updated', 'deleted']),
  ...expand('organization_domain', ['created', 'updated', 'deleted', 'verified', 'verification_failed']),
  ...expand('organization_role', ['created', 'updated', 'deleted']),
  ...expand('role', ['created', 'updated', 'deleted']),
  ...expand('permission', ['created', 'updated', 'deleted']),
  ...expand('connection', [
    'activated',
    'deactivated',
    'deleted',
    'saml_certificate_renewal_required',
    'saml_certificate_renewed',
  ]),
  ...['email_verification', 'magic_auth', 'mfa', 'oauth', 'passkey', 'password', 'sso'].flatMap((method) =>
    expand('authentication', [`${method}_succeeded`, `${method}_failed`]),
  ),
  ...expand('authentication', ['sso_started', 'sso_timed_out', 'radar_risk_detected', 'reauthentication_succeeded']),
  ...expand('invitation', ['created', 'accepted', 'revoked', 'resent']),
  'email_verification.created',
  'magic_auth.created',
  ...expand('password_reset', ['created', 'succeeded']),
  ...expand('group', ['created', 'updated', 'deleted', 'member_added', 'member_removed']),
  ...expand('flag', ['created', 'updated', 'deleted', 'rule_updated']),
  ...expand('api_key', ['created', 'updated', 'revoked']),
  ...expand('vault', [
    'byok_key.deleted',
    'byok_key.verification_completed',
    'data.created',
    'data.deleted',
    'data.read',
    'data.updated',
    'dek.decrypted',
    'dek.read',
    'kek.created',
    'kek.deleted',
    'metadata.read',
    'names.listed',
  ]),
  ...expand('agent.registration', [
    'claim.attempt.created',
    'claim.completed',
    'created',
    'credential.issued',
    'deleted',
    'expired',
    'organization.switched',
    'refreshed',
    'revoked',
  ]),
  ...expand('pipes.connected_account', ['connected', 'connection_failed', 'disconnected', 'reauthorization_needed']),
  'radar.challenge_created',
  ...expand('waitlist_user', ['created', 'approved', 'denied']),
  'action.authentication.denied',
  'action.user_registration.denied',
]);

function expand(prefix: string, suffixes: readonly string[]): string[] {
  return suffixes.map((suffix) => `${prefix}.${suffix}`);
}
