/** A URL safe to print: any password (and a username that may be a token) is replaced. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    else if (url.username) url.username = '***';
    return url.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** The secret parts of a URL, for the logger's scrubbing of whole lines. */
export function urlSecrets(raw: string): string[] {
  try {
    const url = new URL(raw);
    return [url.password, url.password ? '' : url.username].filter((s) => s.length >= 4).map((s) => decodeURIComponent(s));
  } catch {
    return [];
  }
}
