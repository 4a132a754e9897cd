/** Credentials for the NATS client: user and password, or a token. */
export interface NatsCredentials {
  user?: string;
  pass?: string;
  token?: string;
}

/**
 * Takes credentials out of server URLs (`nats://user:pass@host:4222`, `nats://token@host:4222`),
 * which the NATS client does not read itself, and returns the URLs without them. Explicit
 * `user`/`pass`/`token` in the config win over the URLs; the first URL with credentials is used.
 */
export function splitServerCredentials(servers: readonly string[], explicit: NatsCredentials): { servers: string[]; credentials: NatsCredentials } {
  let fromUrl: NatsCredentials | undefined;
  const bare = servers.map((server) => {
    if (!server.includes('@')) return server;
    const hasScheme = server.includes('://');
    let url: URL;
    try {
      url = new URL(hasScheme ? server : `nats://${server}`);
    } catch {
      return server;
    }
    if (url.username) {
      const user = decodeURIComponent(url.username);
      fromUrl ??= url.password ? { user, pass: decodeURIComponent(url.password) } : { token: user };
    }
    return hasScheme ? `${url.protocol}//${url.host}` : url.host;
  });
  const hasExplicit = explicit.user !== undefined || explicit.token !== undefined;
  const credentials = hasExplicit ? explicit : (fromUrl ?? {});
  return { servers: bare, credentials: Object.fromEntries(Object.entries(credentials).filter(([, v]) => v !== undefined)) };
}
