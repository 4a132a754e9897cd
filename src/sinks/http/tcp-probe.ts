import { connect } from 'node:net';

/**
 * Resolves once a TCP connection to the URL's host and port opens, then closes it. A receiver
 * need not answer HEAD or OPTIONS (many webhook routes only take POST), and a probe must not
 * POST anything, so readiness means "the host resolves and accepts connections": TLS and the
 * route itself are checked by the first real delivery.
 */
export function probeTcp(rawUrl: string, timeoutMs: number): Promise<void> {
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no TCP connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}
