import { z } from 'zod';

/** What one URL field of the config accepts. */
export interface UrlRule {
  /** Accepted schemes without "://", the usual one first, e.g. ["redis", "rediss"]. */
  readonly schemes: readonly string[];
  /** A valid value, quoted in the message. */
  readonly example: string;
  /**
   * The host may be empty, because the driver then finds it elsewhere: pg reads `?host=` (a
   * socket directory), then PGHOST, then localhost, as libpq does.
   */
  readonly hostOptional?: boolean;
  /** A bare `host[:port]` is accepted, as the NATS client accepts it (it ignores the scheme). */
  readonly schemeOptional?: boolean;
  /** A further rule of the field on the parsed URL: a problem to report, or undefined. */
  readonly refine?: (url: URL) => string | undefined;
}

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * The host and port as written, read before `new URL` so that a port out of range can be named
 * (`new URL` only says "Invalid URL"). Userinfo ends at the last "@", as in WHATWG parsing.
 */
function authorityOf(text: string): { host: string; port: string | undefined } {
  const start = text.indexOf('://') + 3;
  const end = text.slice(start).search(/[/?#]/);
  let authority = end === -1 ? text.slice(start) : text.slice(start, start + end);
  authority = authority.slice(authority.lastIndexOf('@') + 1);
  const match = /^(\[[^\]]*\]?|[^:]*)(?::(.*))?$/.exec(authority)!;
  return { host: match[1]!, port: match[2] };
}

/** The parsed URL, or what is wrong with `raw` in words that never quote it (after `${VAR}` it may hold a password). */
function parseUrl(raw: string, rule: UrlRule): { url: URL } | { problem: string } {
  const problem = (text: string) => ({ problem: text });
  let text = raw;
  const scheme = SCHEME.exec(raw)?.[1];
  if (scheme === undefined) {
    if (!rule.schemeOptional) return problem('is not a URL');
    text = `${rule.schemes[0]}://${raw}`;
  } else if (!rule.schemes.includes(scheme.toLowerCase())) {
    return problem(`has the scheme "${scheme}:"`);
  }
  // `new URL` would drop the spaces around a value silently, but not every driver does.
  if (/\s/.test(raw)) return problem('contains spaces');
  const { host, port } = authorityOf(text);
  if (port !== undefined && port !== '') {
    if (!/^\d+$/.test(port)) return problem('has a port that is not a number (percent-encode "/", "@" and ":" in a password)');
    if (Number(port) < 1 || Number(port) > 65535) return problem(`has port ${Number(port)}, outside 1-65535`);
  }
  if (host === '' && !rule.hostOptional) return problem('has no host');
  try {
    // WHATWG refuses "user@" before an empty host; pg retries with a stand-in host in that case too.
    return { url: new URL(host === '' ? text.replace('@/', '@localhost/') : text) };
  } catch {
    return problem(host.startsWith('[') ? 'has an invalid IPv6 host (expected [::1] or similar)' : 'is not a valid URL (check the host and any percent-encoding)');
  }
}

function expectation(rule: UrlRule): string {
  const schemes = rule.schemes.map((s) => `${s}://`).join(' or ');
  const article = /^[aeiouh]/i.test(schemes) ? 'an' : 'a';
  const parts = rule.hostOptional ? 'a port 1-65535' : 'a host and a port 1-65535';
  return `expected ${article} ${schemes} URL with ${parts}, e.g. "${rule.example}"`;
}

/**
 * A config string holding a URL: it must parse, have one of the field's schemes, a host and a port
 * in range, checked here rather than when a driver first connects, so that a typo is a config
 * error (exit 78) before anything is written. Every URL field of the config goes through this;
 * values from `${VAR}` and environment overrides are validated the same way, since they are
 * substituted before the schema runs. Issues carry no `input`, so the value is never echoed.
 */
export function urlField(rule: UrlRule) {
  const expected = expectation(rule);
  return z.string().check((ctx) => {
    const parsed = parseUrl(ctx.value, rule);
    const message = 'problem' in parsed ? `${parsed.problem}; ${expected}` : rule.refine?.(parsed.url);
    if (message) ctx.issues.push({ code: 'custom', message, input: undefined });
  });
}
