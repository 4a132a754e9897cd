import { createWebhookSigner } from '../../src/workos/webhook-signer.js';

/** POSTs a webhook delivery as WorkOS would, signed with `secret` at `timestampMs` (default now). */
export async function deliverWebhook(url: string, event: { id: string; event: string; data?: unknown; created_at?: string }, secret: string, options: { timestampMs?: number; tamper?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
  const body = JSON.stringify({ id: event.id, event: event.event, data: event.data ?? {}, created_at: event.created_at ?? new Date().toISOString() });
  const signature = await createWebhookSigner(secret)(options.timestampMs ?? Date.now(), body);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'workos-signature': signature, ...options.headers },
    body: options.tamper ? body.replace('"data":{', '"data":{"tampered":true,') : body,
  });
}
