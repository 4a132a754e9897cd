import type { Logger } from 'pino';
import { redactUrl } from '../../observability/redact-url.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import { AmqpSession } from './amqp-session.js';
import { rabbitmqSinkError, rabbitmqUnavailable } from './classify-rabbitmq-error.js';
import { eventMessage } from './event-message.js';
import { publishConfirmed } from './publish-confirmed.js';
import { RecentIds } from './recent-ids.js';
import { AmqpTimeoutError, within } from './within.js';
import { rabbitmqSinkConfigSchema, type RabbitmqSinkConfig } from './rabbitmq-sink-config.js';
export { rabbitmqSinkConfigSchema, type RabbitmqSinkConfig } from './rabbitmq-sink-config.js';

/** How many confirmed event ids a sink remembers, to skip them when a page is written again. */
export const CONFIRMED_IDS_KEPT = 100_000;


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
