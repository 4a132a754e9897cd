/**
 * The receiver's address as it may appear in messages and logs: scheme, host, port and path.
 * Credentials and the query string are left out, because a webhook URL often carries a token there.
 */
export function displayUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}
