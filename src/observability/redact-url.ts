/**
 * Schemes whose clients read a user name without a password as a token: the NATS sink does
 * (`nats://token@host`, see server-credentials.ts). Elsewhere (pg, ioredis 5+, amqplib) it is a
 * user name, which is no secret: masking it would hide words such as "postgres" in every log line.
 */
const TOKEN_AS_USER = new Set(['nats:', 'tls:']);

function tokenInUser(url: URL): boolean {
  return !url.password && url.username !== '' && TOKEN_AS_USER.has(url.protocol);
}

/** A URL safe to print: any password (and a user part that the client reads as a token) is replaced. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    else if (tokenInUser(url)) url.username = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** The secret parts of a URL (its password, or a token in its user part), for the logger's scrubbing of whole lines. */
export function urlSecrets(raw: string): string[] {
  try {
    const url = new URL(raw);
    return [url.password, tokenInUser(url) ? url.username : ''].filter((s) => s.length >= 4).map((s) => decodeURIComponent(s));
  } catch {
    return [];
  }
}
