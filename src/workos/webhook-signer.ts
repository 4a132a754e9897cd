import { WorkOS } from '@workos-inc/node';

/** Signs a raw body at a time (unix ms) and returns the `WorkOS-Signature` header value. */
export type WebhookSigner = (timestampMs: number, body: string) => Promise<string>;

/**
 * Signs with the SDK's own `webhooks.computeSignature`, the counterpart of the
 * `webhooks.constructEvent` a handler verifies with, so the two cannot drift apart.
 * The WorkOS client is built with a client id only: signing needs no API key and makes no request.
 * The timestamp is whole milliseconds: since SDK 12 a handler refuses any other `t` as invalid.
 */
export function createWebhookSigner(secret: string): WebhookSigner {
  const webhooks = new WorkOS({ clientId: 'workos-events-sync' }).webhooks;
  return async (timestampMs, body) => {
    const t = Math.floor(timestampMs);
    const signature = await webhooks.computeSignature(t, body, secret);
    return `t=${t}, v1=${signature}`;
  };
}
