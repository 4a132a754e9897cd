import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** What a webhook announced: enough to ring, and to cross-check later. */
export interface Ring {
  readonly id: string;
  readonly event: string;
  /** The event's organization, as the receiving instance read it from the body. */
  readonly organizationId?: string | undefined;
}

export interface Doorbell {
  /** Opens the subscription (shared Redis only). */
  open(): Promise<void>;
  ring(ring: Ring): Promise<void>;
  close(): Promise<void>;
}

/**
 * Carries a webhook to the instance that polls. Behind a load balancer, a delivery may reach a
 * standby, which cannot drain: with a shared Redis, every ring is published on a channel that
 * every instance subscribes to, and the leader (whichever it is) answers it. Without Redis, or
 * while Redis is down, the ring stays local.
 */
export function createDoorbell(options: { redis?: Redis | undefined; channel: string; logger: Logger; onRing: (ring: Ring) => void }): Doorbell {
  const { redis, channel, logger, onRing } = options;
  if (!redis) {
    return { open: async () => undefined, ring: async (r) => onRing(r), close: async () => undefined };
  }
  // A subscribed connection can do nothing else, so the doorbell has one of its own.
  const subscriber = redis.duplicate();
  subscriber.on('error', () => undefined);
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      const parsed = JSON.parse(message) as Ring;
      if (typeof parsed.id === 'string' && typeof parsed.event === 'string') onRing(parsed);
    } catch {
      logger.warn({ channel }, 'ignored an unreadable doorbell message');
    }
  });
  // (Re)subscribe whenever the connection is ready, so a Redis that was down at start or restarted empty is covered.
  subscriber.on('ready', () => {
    subscriber.subscribe(channel).catch((err: unknown) => logger.warn({ err, channel }, 'cannot subscribe to the doorbell; webhooks reaching a standby wait for the next tick'));
  });
  return {
    async open() {
      if (subscriber.status === 'wait') await subscriber.connect().catch(() => undefined);
    },
    async ring(r) {
      try {
        await redis.publish(channel, JSON.stringify(r));
      } catch {
        onRing(r);
      }
    },
    async close() {
      subscriber.disconnect();
    },
  };
}
