import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../observability/metrics.js';
import { organizationIdOf, type WorkOSEvent } from '../workos/event.js';
import { WebhookCrossCheck } from './cross-check.js';
import { createDoorbell, type Ring } from './doorbell.js';
import { createWebhookEndpoint } from './webhook-endpoint.js';

/** Test deliveries (`webhook-test`) carry ids with this prefix: they ring, but the API will never deliver them. */
export const TEST_EVENT_ID_PREFIX = 'event_test_';

export interface WebhookDoorbellOptions {
  readonly config: Config;
  readonly secret: string;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => number;
  readonly redis: Redis | undefined;
  /** Drain now (or queue one behind the drain in flight). */
  readonly trigger: () => void;
  /** True on the instance that polls (the leader, or the only one). */
  readonly isPolling: () => boolean;
}

/**
 * Webhooks as a doorbell: the endpoint verifies a delivery and rings; the instance that polls
 * drains at once, so the events come from the Events API, in order, through the cursor. Each
 * announced event the daemon's filters would fetch is cross-checked: if the API has not delivered
 * it within `webhook.crossCheckAfterMs`, the two channels disagree and a person should look.
 */
export function createWebhookDoorbell(options: WebhookDoorbellOptions) {
  const { config, logger, metrics, now } = options;
  const crossCheck = new WebhookCrossCheck(config.webhook.crossCheckAfterMs);
  /** Only what the daemon's own filters fetch can be expected from the API. */
  const wanted = (ring: Ring): boolean =>
    !ring.id.startsWith(TEST_EVENT_ID_PREFIX)
    && (config.events.length === 0 || config.events.includes(ring.event))
    && (!config.organizationId || ring.organizationId === config.organizationId);
  const doorbell = createDoorbell({
    redis: options.redis,
    channel: `${config.leader.key}:doorbell`,
    logger,
    onRing: (ring) => {
      if (!options.isPolling()) return;
      if (wanted(ring)) crossCheck.announced(ring.id, ring.event, now());
      options.trigger();
    },
  });
  const sweep = setInterval(() => {
    for (const late of crossCheck.overdue(now())) {
      metrics.webhooksUnconfirmed.inc();
      logger.error(
        { event_id: late.id, event_type: late.type, announced_at: new Date(late.announcedAt).toISOString(), after_ms: config.webhook.crossCheckAfterMs },
        'a webhook announced an event the Events API has not delivered: the two channels disagree (filters, a stuck cursor, or a lost event); look into it',
      );
    }
  }, Math.min(10_000, Math.max(250, config.webhook.crossCheckAfterMs / 4)));
  sweep.unref();

  const endpoint: (req: IncomingMessage, res: ServerResponse) => Promise<void> = createWebhookEndpoint({
    secret: options.secret,
    toleranceMs: config.webhook.toleranceMs,
    maxBodyBytes: config.webhook.maxBodyBytes,
    allowedIps: config.webhook.allowedIps,
    trustedProxyHops: config.webhook.trustedProxyHops,
    logger,
    onResult: (result) => metrics.webhooksReceived.inc({ result }),
    onDelivery: (delivery) => {
      const organizationId = organizationIdOf({ ...delivery.body, id: delivery.id, event: delivery.event, data: (delivery.body.data ?? {}) as Record<string, unknown>, created_at: '' });
      void doorbell.ring({ id: delivery.id, event: delivery.event, organizationId });
    },
  });

  return {
    endpoint,
    crossCheck,
    /** What a sink committed came through the Events API: the cross-check forgets it. */
    delivered: (events: readonly WorkOSEvent[]) => crossCheck.delivered(events.map((e) => e.id)),
    open: () => doorbell.open(),
    async close() {
      clearInterval(sweep);
      await doorbell.close();
    },
  };
}
