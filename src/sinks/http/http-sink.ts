import type { Logger } from 'pino';
import { WesError } from '../../errors.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import type { DeliveryTarget } from './classify-http-failure.js';
import { displayUrl } from './display-url.js';
import { postWebhook, type PostSettings } from './post-webhook.js';
import { probeTcp } from './tcp-probe.js';
import { batchIdempotencyKey, webhookBody } from './webhook-payload.js';
import { createWebhookSigner } from '../../workos/webhook-signer.js';
import { httpSinkConfigSchema, type HttpSinkConfig } from './http-sink-config.js';
export { httpSinkConfigSchema, type HttpSinkConfig } from './http-sink-config.js';

/** A probe only opens a TCP connection: it need not wait as long as a delivery may. */
const PROBE_TIMEOUT_MS = 3_000;


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
