import { classifyRequestError, classifyResponse, type DeliveryTarget } from './classify-http-failure.js';
import type { WebhookSigner } from '../../workos/webhook-signer.js';

/** Where and how one sink posts. */
export interface PostSettings {
  readonly url: string;
  /** Extra headers from the config; never one of the headers set below (the schema refuses them). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly sign: WebhookSigner;
}

/** Keep at most this much of a response: enough for a reason in a message, not a whole HTML page. */
const MAX_BODY_BYTES = 64 * 1024;
const SNIPPET_CHARS = 200;

/** Reads the answer so the connection can be reused, keeping its first characters for messages. */
async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, SNIPPET_CHARS);
}

/**
 * POSTs one signed body and resolves on a 2xx, else throws a classified WesError. The signature
 * is computed per attempt, with the time of the attempt, so a retry hours later still passes
 * the handler's timestamp tolerance. One deadline (`timeoutMs`) covers connecting, the answer
 * and its body; `closeSignal` cuts the request short when the sink closes.
 */
export async function postWebhook(settings: PostSettings, body: string, idempotencyKey: string, closeSignal: AbortSignal, target: DeliveryTarget): Promise<void> {
  const signature = await settings.sign(Date.now(), body);
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  let response: Response;
  let snippet: string;
  try {
    response = await fetch(settings.url, {
      method: 'POST',
      headers: { ...settings.headers, 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey, 'WorkOS-Signature': signature },
      body,
      // A 301/302/303 would be followed as a GET without the body: report it instead.
      redirect: 'manual',
      signal: AbortSignal.any([closeSignal, timeout]),
    });
    snippet = await readSnippet(response);
  } catch (err) {
    throw classifyRequestError(err, closeSignal.aborted ? 'closed' : timeout.aborted ? 'timeout' : 'network', settings.timeoutMs, target);
  }
  const failure = classifyResponse(response, snippet, target, Date.now());
  if (failure) throw failure;
}
