import type { PubAck } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import type { WorkOSEvent } from '../../workos/event.js';
import type { Sink, SinkDefinition, SinkPage } from '../sink.js';
import { isNoResponders, natsSinkError, natsUnavailable } from './classify-nats-error.js';
import { ensureStream, requireStream } from './ensure-stream.js';
import { natsSinkConfigSchema, type NatsSinkConfig } from './nats-sink-config.js';
import { loggableServers, NatsSession } from './nats-session.js';
import { splitServerCredentials, type NatsCredentials } from './server-credentials.js';
import { defaultStreamSubjects, renderSubject } from './subject-template.js';

export { natsSinkConfigSchema, type NatsSinkConfig } from './nats-sink-config.js';

/**
 * Publishes every event of a page to JetStream with `Nats-Msg-Id` = the event id, so that the
 * server drops a replayed event within the stream's duplicate window, and resolves only once every
 * publish was acknowledged (a duplicate ack counts: that is the replay being dropped).
 *
 * The publishes of a page go out back to back on one connection, without waiting for each ack in
 * turn: NATS delivers one connection's messages in order, so the stream stores them in page order
 * at one round trip per page rather than per event.
 */
class NatsSink implements Sink {
  readonly type = 'nats';
  private session: NatsSession | undefined;
  private opening: Promise<NatsSession> | undefined;
  private closing: Promise<void> | undefined;
  private readonly encoder = new TextEncoder();
  private readonly servers: readonly string[];
  private readonly credentials: NatsCredentials;
  private readonly streamSubjects: readonly string[];

  constructor(readonly name: string, private readonly config: NatsSinkConfig, private readonly logger: Logger) {
    const split = splitServerCredentials(typeof config.servers === 'string' ? [config.servers] : config.servers, {
      user: config.user,
      pass: config.pass,
      token: config.token,
    });
    this.servers = split.servers;
    this.credentials = split.credentials;
    this.streamSubjects = config.stream?.subjects ?? defaultStreamSubjects(config.subject) ?? [];
  }

  async open(): Promise<void> {
    this.closing = undefined;
    await this.connection();
  }

  async write(page: SinkPage): Promise<void> {
    if (page.events.length === 0) return;
    const session = await this.connection();
    try {
      await this.publishPage(session, page.events);
    } catch (err) {
      const stream = this.config.stream;
      if (!stream?.create || !isNoResponders(err)) throw err;
      // The stream went away (deleted, or a memory stream lost in a server restart) and we own it:
      // make it again and send the page once more.
      this.logger.warn({ sink: this.name, stream: stream.name }, 'no JetStream stream captures the subject; creating the stream again');
      await this.prepareStream(session);
      await this.publishPage(session, page.events);
    }
  }

  async probe(): Promise<void> {
    const session = await this.connection();
    if (!session.connected) throw natsUnavailable(this.name, 'is disconnected from NATS; reconnecting in the background');
    const stream = this.config.stream;
    try {
      // A stream the sink must not create has to exist; otherwise JetStream answering is enough.
      if (stream && !stream.create) await session.guard(session.jsm.streams.info(stream.name));
      else await session.guard(session.jsm.getAccountInfo());
    } catch (err) {
      throw natsSinkError(this.name, 'probe JetStream', err);
    }
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.opening?.catch(() => undefined);
      const session = this.session;
      this.session = undefined;
      await session?.close();
    })();
    return this.closing;
  }

  /** The open session, connecting first if there is none (or the last one closed for good). */
  private connection(): Promise<NatsSession> {
    if (this.closing) return Promise.reject(natsUnavailable(this.name, 'is closed'));
    if (this.session && !this.session.closed) return Promise.resolve(this.session);
    this.opening ??= this.connect().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async connect(): Promise<NatsSession> {
    const session = await NatsSession.open({
      sinkName: this.name,
      servers: this.servers,
      ...this.credentials,
      connectTimeoutMs: this.config.connectTimeoutMs,
      logger: this.logger,
    });
    try {
      await this.prepareStream(session);
      if (this.closing) throw natsUnavailable(this.name, 'was closed while connecting');
    } catch (err) {
      await session.close();
      throw err;
    }
    this.session?.close().catch(() => undefined);
    this.session = session;
    this.logger.info({ sink: this.name, servers: loggableServers(this.servers), stream: this.config.stream?.name, subject: this.config.subject }, 'connected to NATS JetStream');
    return session;
  }

  private async prepareStream(session: NatsSession): Promise<void> {
    const stream = this.config.stream;
    if (!stream) return;
    try {
      if (stream.create) await session.guard(ensureStream(session.jsm, stream, this.streamSubjects, this.logger, this.name));
      else await session.guard(requireStream(session.jsm, stream.name, this.name));
    } catch (err) {
      throw natsSinkError(this.name, `prepare the JetStream stream "${stream.name}"`, err);
    }
  }

  private async publishPage(session: NatsSession, events: readonly WorkOSEvent[]): Promise<void> {
    // Fail at once rather than hand the client messages it would buffer and drop on reconnect.
    if (!session.connected) throw natsUnavailable(this.name, 'is disconnected from NATS; reconnecting in the background');
    const stream = this.config.stream;
    const acks: Array<Promise<PubAck>> = events.map((event) =>
      session.js.publish(renderSubject(this.config.subject, event), this.encoder.encode(JSON.stringify(event)), {
        msgID: event.id,
        timeout: this.config.timeoutMs,
        ...(stream ? { expect: { streamName: stream.name } } : {}),
      }),
    );
    const results = await session.guard(Promise.allSettled(acks));
    const failed = results.flatMap((result, i) => (result.status === 'rejected' ? [{ event: events[i]!, reason: result.reason as unknown }] : []));
    if (failed.length === 0) return;
    // One event the stream refuses makes the page fail as rejected: retrying it would not help.
    const classified = failed.map((f) => ({ ...f, err: natsSinkError(this.name, `publish event ${f.event.id}`, f.reason) }));
    const worst = classified.find((f) => !f.err.retryable) ?? classified[0]!;
    if (failed.length === 1) throw worst.err;
    throw natsSinkError(this.name, `publish event ${worst.event.id} (${failed.length} of ${events.length} events of the page failed)`, worst.reason);
  }
}

export const natsSink: SinkDefinition<typeof natsSinkConfigSchema> = {
  type: 'nats',
  configSchema: natsSinkConfigSchema,
  create: (config, name, context) => new NatsSink(name, config, context.logger),
};
