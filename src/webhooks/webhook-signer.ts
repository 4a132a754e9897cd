import { WorkOS } from '@workos-inc/node';

/** Signs a raw body at a time (unix ms) and returns the `WorkOS-Signature` header value. */
export type WebhookSigner = (timestampMs: number, body: string) => Promise<string>;

/**
 * Signs with the SDK's own `webhooks.computeSignature`, the counterpart of the
 * `webhooks.constructEvent` a handler verifies with, so the two cannot drift apart.
 * The WorkOS client is built with a client id only: signing needs no API key and makes no request.
 */
export function createWebhookSigner(secret: string): WebhookSigner {
  const webhooks = new WorkOS({ clientId: 'workos-events-sync' }).webhooks;
  return async (timestampMs, body) => {
    const signature = await webhooks.computeSignature(timestampMs, body, secret);
    return `t=${timestampMs}, v1=${signature}`;
  };
}
