import type { Logger } from 'pino';
import { z } from 'zod';
import { urlField } from '../../config/url-field.js';
import { redactUrl } from '../../observability/redact-url.js';
import { sinkCommonFields } from '../sink-common-config.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import { AmqpSession } from './amqp-session.js';
import { rabbitmqSinkError, rabbitmqUnavailable } from './classify-rabbitmq-error.js';
import { eventMessage } from './event-message.js';
import { publishConfirmed } from './publish-confirmed.js';
import { RecentIds } from './recent-ids.js';
import { routingKeyTemplateProblem } from './routing-key.js';
import { AmqpTimeoutError, within } from './within.js';

/** How many confirmed event ids a sink remembers, to skip them when a page is written again. */
export const CONFIRMED_IDS_KEPT = 100_000;

const amqpUrl = urlField({ schemes: ['amqp', 'amqps'], example: 'amqp://user:${RABBITMQ_PASSWORD}@rabbitmq:5672' });

const routingKeyTemplate = z.string().max(255).check((ctx) => {
  const problem = routingKeyTemplateProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});

export const rabbitmqSinkConfigSchema = z
  .strictObject({
    type: z.literal('rabbitmq'),
    ...sinkCommonFields,
    url: amqpUrl.describe('Broker URL, amqp:// or amqps://, with the vhost as its path ("/%2F" or none for "/"). Put the password in through ${VAR} (percent-encode "@", ":" and "/" in it). A "heartbeat" query parameter overrides heartbeatSeconds.'),
    exchange: z.string().max(255).regex(/^[A-Za-z0-9_.:-]*$/, 'expected letters, digits, "-", "_", "." or ":"').default('workos.events')
      .describe('Exchange to publish to. Default "workos.events". "" is the default exchange (the routing key is then a queue name).'),
    exchangeType: z.enum(['topic', 'direct', 'fanout', 'headers']).default('topic')
      .describe('Type of the exchange when declare is true. Default "topic".'),
    declare: z.boolean().default(false)
      .describe('Declare the exchange (durable) on every connect; an existing one must have the same type and durability. Default false: the exchange must exist.'),
    routingKey: routingKeyTemplate.default('{event}')
      .describe('Routing key template: {event} is the event type (e.g. dsync.user.created), {organization_id} the organization ("none" when there is none). Default "{event}".'),
    mandatory: z.boolean().default(true)
      .describe('Publish as mandatory: a message no queue is bound for is returned by the broker and the write fails as rejected. false lets RabbitMQ drop it silently. Default true.'),
    timeoutMs: z.int().min(100).max(300_000).default(10_000)
      .describe('How long a write waits for the broker to confirm its messages, in ms. Default 10000.'),
    heartbeatSeconds: z.int().min(0).max(3600).default(10)
      .describe('AMQP heartbeat in seconds: a silent broker is given up on after about twice this. 0 turns heartbeats off. Default 10.'),
    connectTimeoutMs: z.int().min(100).max(120_000).default(5_000)
      .describe('Bound on connecting (TCP, TLS and the AMQP handshake), in ms. Default 5000.'),
  })
  .check((ctx) => {
    const { declare, exchange } = ctx.value;
    if (declare && (exchange === '' || exchange.startsWith('amq.'))) {
      ctx.issues.push({ code: 'custom', path: ['declare'], message: `the exchange "${exchange}" is the broker's own and cannot be declared: set declare to false`, input: undefined });
    }
  })
  .describe('Publishes each event to a RabbitMQ exchange with publisher confirms, persistent, messageId = event id, routing key from the event type.');

export type RabbitmqSinkConfig = z.infer<typeof rabbitmqSinkConfigSchema>;

/**
 * Publishes a page on a confirm channel and resolves once the broker confirmed every message.
 * RabbitMQ does not drop duplicates, so confirmed ids are remembered (the last
 * `CONFIRMED_IDS_KEPT`) and skipped on a replay within the process; after a crash the page in
 * flight may be published twice, and consumers de-duplicate on `messageId`. The connection is
 * opened lazily and dropped when lost; the next write or probe opens a new one.
 */
class RabbitmqSink implements Sink {
  readonly type = 'rabbitmq';
  private session: AmqpSession | undefined;
  private connecting: Promise<AmqpSession> | undefined;
  private writing: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly confirmed = new RecentIds(CONFIRMED_IDS_KEPT);
  private connectedBefore = false;

  constructor(readonly name: string, private readonly config: RabbitmqSinkConfig, private readonly logger: Logger) {}

  async open(): Promise<void> {
    this.closing = undefined;
    await this.connected();
  }

  write(page: SinkPage): Promise<void> {
    if (this.closing) return Promise.reject(rabbitmqUnavailable(this.name, 'the sink is closed'));
    // One page at a time: waitForConfirms covers every message of the channel, not just ours.
    const run = this.writing.then(() => this.publish(page));
    this.writing = run.catch(() => undefined);
    return run;
  }

  private async publish(page: SinkPage): Promise<void> {
    const fresh = new Map<string, SinkPage['events'][number]>();
    for (const event of page.events) if (!this.confirmed.has(event.id) && !fresh.has(event.id)) fresh.set(event.id, event);
    if (fresh.size === 0) return;
    const { routingKey, mandatory, exchange, timeoutMs } = this.config;
    const messages = [...fresh.values()].map((event) => eventMessage(event, routingKey, mandatory, this.name));
    const session = await this.connected();
    await publishConfirmed(session, messages, { sinkName: this.name, exchange, timeoutMs, onConfirmed: (id) => this.confirmed.add(id) });
  }

  async probe(): Promise<void> {
    if (this.closing) throw rabbitmqUnavailable(this.name, 'the sink is closed');
    const session = await this.connected();
    const blocked = session.blockedReason;
    if (blocked !== undefined) throw rabbitmqUnavailable(this.name, `the broker is blocking publishers (${blocked})`);
    const { exchange, timeoutMs } = this.config;
    // The default exchange always exists, and the broker refuses even a passive declare of it.
    if (exchange === '') return;
    const tooSlow = () => new AmqpTimeoutError(`no answer within ${timeoutMs} ms`);
    try {
      const channel = await within(session.model.createChannel(), timeoutMs, tooSlow);
      // A missing exchange closes the channel with an 'error' event: the rejected promise reports it.
      channel.on('error', () => undefined);
      try {
        await within(channel.checkExchange(exchange), timeoutMs, tooSlow);
      } finally {
        channel.close().catch(() => undefined);
      }
    } catch (err) {
      throw rabbitmqSinkError(this.name, `find exchange "${exchange}"`, err);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // The write in flight settles within the connect and confirm timeouts; let it finish.
      await this.writing;
      const session = this.session ?? (await this.connecting?.catch(() => undefined));
      this.session = undefined;
      await session?.close(this.config.connectTimeoutMs);
    })();
    return this.closing;
  }

  private connected(): Promise<AmqpSession> {
    if (this.session?.alive) return Promise.resolve(this.session);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<AmqpSession> {
    const { url, heartbeatSeconds, connectTimeoutMs, declare, exchange, exchangeType } = this.config;
    const where = redactUrl(url);
    let session: AmqpSession | undefined;
    try {
      session = await AmqpSession.open({ url, heartbeatSeconds, connectTimeoutMs, connectionName: `workos-events-sync ${this.name}` }, {
        lost: (err) => {
          // A session that dies while opening is reported by the error open() throws.
          if (session === undefined) return;
          if (this.session === session) this.session = undefined;
          this.logger.warn({ sink: this.name, url: where, err }, 'RabbitMQ closed the connection or channel; the next write reconnects');
        },
        blocked: (reason) => {
          if (reason === undefined) this.logger.info({ sink: this.name, url: where }, 'RabbitMQ accepts publishes again');
          else this.logger.warn({ sink: this.name, url: where, reason }, 'RabbitMQ is blocking publishers (memory or disk alarm); writes fail until it lifts');
        },
      });
    } catch (err) {
      throw rabbitmqSinkError(this.name, `connect to ${where}`, err);
    }
    if (declare) {
      try {
        await within(session.channel.assertExchange(exchange, exchangeType, { durable: true }), connectTimeoutMs, () => new AmqpTimeoutError(`no answer within ${connectTimeoutMs} ms`));
      } catch (err) {
        await session.close(connectTimeoutMs);
        throw rabbitmqSinkError(this.name, `declare exchange "${exchange}" (${exchangeType}, durable)`, err);
      }
    }
    if (this.closing) {
      await session.close(connectTimeoutMs);
      throw rabbitmqUnavailable(this.name, 'the sink was closed while connecting');
    }
    this.session = session;
    // A reconnect is news for whoever watched the connection go; the first connect is not.
    this.logger[this.connectedBefore ? 'info' : 'debug']({ sink: this.name, url: where, exchange }, 'connected to RabbitMQ');
    this.connectedBefore = true;
    return session;
  }
}

export const rabbitmqSink: SinkDefinition<typeof rabbitmqSinkConfigSchema> = {
  type: 'rabbitmq',
  configSchema: rabbitmqSinkConfigSchema,
  create: (config, name, context) => new RabbitmqSink(name, config, context.logger),
};
