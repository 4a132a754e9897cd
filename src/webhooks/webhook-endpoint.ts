import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WorkOS } from '@workos-inc/node';
import type { Logger } from 'pino';
import { clientIp, expandAllowedIps } from './client-ip.js';
import { BodyTooLarge, readBody } from './read-body.js';

export interface WebhookEndpointOptions {
  readonly secret: string;
  /** How far a signature's timestamp may be from now, in ms, either way (the SDK's `tolerance`; 12+ refuses the future too). */
  readonly toleranceMs: number;
  readonly maxBodyBytes: number;
  /** Allowed source addresses (`"workos"` = WorkOS's list); empty: any. */
  readonly allowedIps: readonly string[];
  readonly trustedProxyHops: number;
  readonly logger: Logger;
  /** A verified delivery: the id and type WorkOS announced. Called after the 200 is sent. */
  readonly onDelivery: (delivery: { id: string; event: string; body: Record<string, unknown> }) => void;
  /** Every answer given, by outcome (metrics). */
  readonly onResult?: (result: 'accepted' | 'unauthorized' | 'forbidden' | 'too_large' | 'bad_request' | 'method_not_allowed') => void;
}

type Outcome = Parameters<NonNullable<WebhookEndpointOptions['onResult']>>[0];

function answer(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * `POST /webhooks/workos`: the doorbell. A delivery is verified with the SDK on the raw body
 * (`webhooks.verifyHeader`, the check `constructEvent` makes, constant-time), answered 200 at once,
 * and only then announced: the events themselves are read from the Events API, in order, through
 * the cursor. Anything else gets its status and nothing happens.
 */
export function createWebhookEndpoint(options: WebhookEndpointOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  // Loaded with the first delivery, not with the daemon: a process without the doorbell never needs the SDK.
  let webhooks: Promise<WorkOS['webhooks']> | undefined;
  const verifier = () => (webhooks ??= import('@workos-inc/node').then(({ WorkOS: Sdk }) => new Sdk({ clientId: 'workos-events-sync' }).webhooks));
  const allowed = expandAllowedIps(options.allowedIps);
  const refuse = (res: ServerResponse, outcome: Outcome, status: number, message: string, fields: Record<string, unknown> = {}, headers?: Record<string, string>) => {
    options.onResult?.(outcome);
    options.logger.warn({ status, ...fields }, `webhook refused: ${message}`);
    answer(res, status, { error: message }, headers);
  };

  return async (req, res) => {
    if (req.method !== 'POST') return refuse(res, 'method_not_allowed', 405, 'only POST', { method: req.method }, { allow: 'POST' });
    const ip = clientIp(req, options.trustedProxyHops);
    if (allowed.size > 0 && !allowed.has(ip)) return refuse(res, 'forbidden', 403, 'source address not allowed', { ip });
    let body: string;
    try {
      body = await readBody(req, options.maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLarge) return refuse(res, 'too_large', 413, `body larger than ${options.maxBodyBytes} bytes`, { ip }, { connection: 'close' });
      throw err;
    }
    const sigHeader = req.headers['workos-signature'];
    if (typeof sigHeader !== 'string' || sigHeader === '') return refuse(res, 'unauthorized', 401, 'missing WorkOS-Signature header', { ip });
    const verify = await verifier();
    try {
      await verify.verifyHeader({ payload: body, sigHeader, secret: options.secret, tolerance: options.toleranceMs });
    } catch (err) {
      return refuse(res, 'unauthorized', 401, 'invalid or expired signature', { ip, reason: (err as Error).message });
    }
    let parsed: { id?: unknown; event?: unknown };
    try {
      parsed = JSON.parse(body) as { id?: unknown; event?: unknown };
    } catch {
      return refuse(res, 'bad_request', 400, 'the signed body is not JSON', { ip });
    }
    if (typeof parsed?.id !== 'string' || typeof parsed.event !== 'string') return refuse(res, 'bad_request', 400, 'the body has no event id or type', { ip });
    options.onResult?.('accepted');
    answer(res, 200, { received: true });
    options.logger.debug({ event_id: parsed.id, event_type: parsed.event, ip }, 'webhook received; draining now');
    options.onDelivery({ id: parsed.id, event: parsed.event, body: parsed as Record<string, unknown> });
  };
}
