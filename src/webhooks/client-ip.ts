import type { IncomingMessage } from 'node:http';

/** WorkOS's webhook source addresses (events-api.md); `"workos"` in `webhook.allowedIps` stands for these. */
export const WORKOS_WEBHOOK_IPS: readonly string[] = [
  '3.217.146.166', '23.21.184.92', '34.204.154.149', '44.213.245.178', '44.215.236.82',
  '50.16.203.9', '52.1.251.34', '52.21.49.187', '174.129.36.47',
];

function normalize(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address.trim();
}

/**
 * The address of whoever sent the request. Behind `trustedProxyHops` proxies, each appends the
 * address it received from to `X-Forwarded-For`, so the client is that many entries from the
 * right; anything further left was written by the client itself and cannot be trusted.
 */
export function clientIp(req: IncomingMessage, trustedProxyHops: number): string {
  const socketAddress = normalize(req.socket.remoteAddress ?? '');
  if (trustedProxyHops === 0) return socketAddress;
  const header = req.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : header ?? '').split(',').map(normalize).filter(Boolean);
  return chain[chain.length - trustedProxyHops] ?? socketAddress;
}

/** The allowlist with `"workos"` expanded; empty means any address. */
export function expandAllowedIps(configured: readonly string[]): ReadonlySet<string> {
  return new Set(configured.flatMap((entry) => (entry === 'workos' ? WORKOS_WEBHOOK_IPS : [normalize(entry)])));
}
