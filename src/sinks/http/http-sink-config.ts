import { z } from 'zod';
import { urlField } from '../../validation/url-field.js';
import { sinkCommonFields } from '../sink-common-config.js';

/** Headers the sink sets itself (the webhook contract) or that the HTTP client must own (framing). */
const RESERVED_HEADERS = new Set(['workos-signature', 'content-type', 'idempotency-key', 'content-length', 'host', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer']);
/** An RFC 9110 token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

// fetch refuses a URL with credentials: they belong in `headers`.
const receiverUrl = urlField({
  schemes: ['http', 'https'],
  example: 'https://app.example.com/webhooks/workos',
  refine: (u) => (u.username || u.password ? 'expected no credentials in the URL (fetch refuses them): send them in `headers`, e.g. "Authorization": "Bearer ${RECEIVER_TOKEN}"' : undefined),
});

/** Issues about the headers carry no `input`: after `${VAR}` substitution they may hold a token. */
function checkHeaders(headers: Record<string, string>, ctx: z.RefinementCtx): void {
  for (const [name, value] of Object.entries(headers)) {
    const problem = !HEADER_NAME.test(name)
      ? 'expected a header name such as "Authorization" or "X-Source"'
      : RESERVED_HEADERS.has(name.toLowerCase())
        ? `"${name}" is set by the sink or the HTTP client and cannot be overridden`
        : /[\r\n\0]/.test(value)
          ? 'expected a header value without line breaks'
          : undefined;
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem, input: undefined });
  }
}

export const httpSinkConfigSchema = z
  .strictObject({
    type: z.literal('http').describe('"http": each event POSTed like a WorkOS webhook.'),
    ...sinkCommonFields,
    url: receiverUrl
      .describe('The receiver to POST to, http:// or https://, typically your existing WorkOS webhook route, e.g. https://app.example.com/webhooks/workos. No credentials in the URL (put them in headers). Redirects are not followed. Required.'),
    secret: z.string().min(1, 'expected the webhook secret, e.g. "${WORKOS_WEBHOOK_SECRET}"')
      .describe('The webhook secret your handler verifies `WorkOS-Signature` with (`workos.webhooks.constructEvent`). Write it as "${WORKOS_WEBHOOK_SECRET}", never in the file. Required.'),
    timeoutMs: z.int().min(100).max(300_000).default(10_000)
      .describe('Deadline of each POST (connecting, the answer and its body), in ms. A timeout is retried. Default 10000.'),
    headers: z.record(z.string(), z.string()).default({}).superRefine(checkHeaders)
      .describe('Extra request headers, e.g. { "Authorization": "Bearer ${RECEIVER_TOKEN}" } for a gateway; ${VAR} works in values. They cannot replace WorkOS-Signature, Content-Type, Idempotency-Key or the headers the HTTP client owns (Host, Content-Length, Connection, ...). Default {}.'),
    mode: z.enum(['event', 'batch']).default('event')
      .describe('"event": one POST per event, in order, each exactly like a WorkOS webhook. "batch": one POST per page whose body is a JSON array of those webhook bodies, signed over the whole array (a handler verifies it with workos.webhooks.verifyHeader). Default "event".'),
  })
  .describe('POSTs events to an HTTP endpoint exactly as WorkOS delivers webhooks (same body, same WorkOS-Signature), so an existing webhook handler accepts them unchanged.');

export type HttpSinkConfig = z.infer<typeof httpSinkConfigSchema>;
