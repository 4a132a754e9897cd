import type { Logger } from 'pino';
import { z } from 'zod';
import { urlField } from '../../config/url-field.js';
import { WesError } from '../../errors.js';
import { sinkCommonFields } from '../sink-common-config.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import type { DeliveryTarget } from './classify-http-failure.js';
import { displayUrl } from './display-url.js';
import { postWebhook, type PostSettings } from './post-webhook.js';
import { probeTcp } from './tcp-probe.js';
import { batchIdempotencyKey, webhookBody } from './webhook-payload.js';
import { createWebhookSigner } from '../../webhooks/webhook-signer.js';

/** Headers the sink sets itself (the webhook contract) or that the HTTP client must own (framing). */
const RESERVED_HEADERS = new Set(['workos-signature', 'content-type', 'idempotency-key', 'content-length', 'host', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer']);
/** An RFC 9110 token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A probe only opens a TCP connection: it need not wait as long as a delivery may. */
const PROBE_TIMEOUT_MS = 3_000;

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
    type: z.literal('http'),
    ...sinkCommonFields,
    url: receiverUrl
      .describe('The receiver to POST to, typically your existing WorkOS webhook route, e.g. https://app.example.com/webhooks/workos. Required.'),
    secret: z.string().min(1, 'expected the webhook secret, e.g. "${WORKOS_WEBHOOK_SECRET}"')
      .describe('The webhook secret your handler verifies `WorkOS-Signature` with (`workos.webhooks.constructEvent`). Write it as "${WORKOS_WEBHOOK_SECRET}", never in the file. Required.'),
    timeoutMs: z.int().min(100).max(300_000).default(10_000)
      .describe('Deadline of each POST (connecting, the answer and its body), in ms. A timeout is retried. Default 10000.'),
    headers: z.record(z.string(), z.string()).default({}).superRefine(checkHeaders)
      .describe('Extra request headers, e.g. { "Authorization": "Bearer ${RECEIVER_TOKEN}" }. They cannot replace WorkOS-Signature, Content-Type or Idempotency-Key. Default {}.'),
    mode: z.enum(['event', 'batch']).default('event')
      .describe('"event" (default): one POST per event, in order, each exactly like a WorkOS webhook. "batch": one POST per page whose body is a JSON array of those webhook bodies, signed over the whole array.'),
  })
  .describe('POSTs events to an HTTP endpoint exactly as WorkOS delivers webhooks (same body, same WorkOS-Signature), so an existing webhook handler accepts them unchanged.');

export type HttpSinkConfig = z.infer<typeof httpSinkConfigSchema>;

/**
 * Delivers pages as signed webhooks. Replays are harmless by contract: every POST carries
 * `Idempotency-Key` (the event id, or a hash of the page's ids in batch mode), and a webhook
 * handler must already tolerate duplicates because WorkOS itself may deliver an event twice.
 */
class HttpSink implements Sink {
  readonly type = 'http';
  /** Aborted by close(), so that a request in flight settles at once instead of at its timeout. */
  private controller: AbortController | undefined;
  private closing: Promise<void> | undefined;
  private readonly settings: PostSettings;
  private readonly url: string;

  constructor(readonly name: string, private readonly config: HttpSinkConfig, private readonly logger: Logger) {
    this.settings = { url: config.url, headers: config.headers, timeoutMs: config.timeoutMs, sign: createWebhookSigner(config.secret) };
    this.url = displayUrl(config.url);
  }

  async open(): Promise<void> {
    if (this.controller) return;
    this.closing = undefined;
    this.controller = new AbortController();
  }

  async write(page: SinkPage): Promise<void> {
    if (page.events.length === 0) return;
    if (!this.controller) await this.open();
    const signal = this.controller!.signal;
    if (this.config.mode === 'batch') {
      const body = JSON.stringify(page.events.map(webhookBody));
      await postWebhook(this.settings, body, batchIdempotencyKey(page.events), signal, this.target(`a batch of ${page.events.length} events`));
    } else {
      // One at a time, in page order: a handler sees events in the order WorkOS created them. If
      // event k fails, the events before it were accepted and come again (same Idempotency-Key)
      // when the page is retried.
      for (const [i, event] of page.events.entries()) {
        // A leader paused mid-page must not go on POSTing beside the instance that took over.
        if (i > 0) page.beforeRequest?.();
        await postWebhook(this.settings, JSON.stringify(webhookBody(event)), event.id, signal, this.target(`event ${event.id}`));
      }
    }
    this.logger.debug({ sink: this.name, url: this.url, mode: this.config.mode, count: page.events.length }, 'the webhook receiver accepted the page');
  }

  async probe(): Promise<void> {
    try {
      await probeTcp(this.config.url, Math.min(this.config.timeoutMs, PROBE_TIMEOUT_MS));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new WesError('WES_ERR_SINK_UNAVAILABLE', `sink "${this.name}" cannot connect to ${this.url}${code ? ` (${code})` : ''}`, { retryable: true, cause: err });
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.controller?.abort();
      this.controller = undefined;
    })();
    return this.closing;
  }

  private target(what: string): DeliveryTarget {
    return { sinkName: this.name, what, url: this.url };
  }
}

export const httpSink: SinkDefinition<typeof httpSinkConfigSchema> = {
  type: 'http',
  configSchema: httpSinkConfigSchema,
  create: (config, name, context) => new HttpSink(name, config, context.logger),
};
