import { connect, type ChannelModel, type ConfirmChannel, type Message } from 'amqplib';
import { AmqpTimeoutError, within } from './within.js';

export interface AmqpSessionOptions {
  readonly url: string;
  readonly heartbeatSeconds: number;
  readonly connectTimeoutMs: number;
  /** Shown in the broker's management UI, to tell this daemon's connections apart. */
  readonly connectionName: string;
}

/** What the session reports to its owner. */
export interface SessionEvents {
  /** The connection or channel closed without being asked to; the session is dead. */
  lost(err: Error | undefined): void;
  /** The broker blocked publishers (a memory or disk alarm), or unblocked them (undefined). */
  blocked(reason: string | undefined): void;
}

/** The URL amqplib connects to: the heartbeat is added unless the URL sets its own. */
export function connectUrl(url: string, heartbeatSeconds: number): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has('heartbeat')) parsed.searchParams.set('heartbeat', String(heartbeatSeconds));
  return parsed.toString();
}

/**
 * One AMQP connection and its confirm channel. amqplib's plain `connect` does not reconnect (its
 * recovery mode would hold writes while it retries, where we want them to fail fast), so a
 * session is single-use: once the connection or the channel closes, it is dead and the owner
 * opens a new one on the next write. Listeners are attached at once, because an 'error' event
 * nobody listens to would crash the process.
 */
export class AmqpSession {
  private lostWith: Error | undefined;
  private dead = false;
  private closedByUs = false;
  private blocked: string | undefined;
  private readonly returned = new Map<string, Message>();
  private confirmChannel: ConfirmChannel | undefined;
  private markGone: () => void = () => undefined;
  /** Settles once the connection is closed, however that happened. */
  private readonly gone = new Promise<void>((resolve) => {
    this.markGone = resolve;
  });

  private constructor(readonly model: ChannelModel, private readonly events: SessionEvents) {
    model.on('error', (err: Error) => this.lose(err));
    model.on('close', (err?: Error) => {
      this.markGone();
      this.lose(err);
    });
    model.on('blocked', (reason: string) => {
      this.blocked = reason || 'no reason given';
      events.blocked(this.blocked);
    });
    model.on('unblocked', () => {
      this.blocked = undefined;
      events.blocked(undefined);
    });
  }

  /** Connects and opens a confirm channel, each bounded by `connectTimeoutMs`. */
  static async open(options: AmqpSessionOptions, events: SessionEvents): Promise<AmqpSession> {
    const connecting = connect(connectUrl(options.url, options.heartbeatSeconds), {
      // amqplib applies `timeout` to the TCP connect and the AMQP handshake only.
      timeout: options.connectTimeoutMs,
      noDelay: true,
      clientProperties: { connection_name: options.connectionName },
    });
    const tooSlow = () => new AmqpTimeoutError(`no connection within ${options.connectTimeoutMs} ms`);
    let model: ChannelModel;
    try {
      model = await within(connecting, options.connectTimeoutMs + 500, tooSlow);
    } catch (err) {
      // A connection that completes after we gave up must not linger.
      connecting.then((late) => late.close()).catch(() => undefined);
      throw err;
    }
    const session = new AmqpSession(model, events);
    try {
      const channel = await within(model.createConfirmChannel(), options.connectTimeoutMs, tooSlow);
      session.attach(channel);
      return session;
    } catch (err) {
      session.destroy();
      throw session.lostWith ?? err;
    }
  }

  private attach(channel: ConfirmChannel): void {
    this.confirmChannel = channel;
    channel.on('error', (err: Error) => this.lose(err));
    channel.on('close', () => this.lose(undefined));
    // With `mandatory`, an unroutable message comes back before its ack (RabbitMQ's ordering).
    channel.on('return', (message: Message) => {
      const id: unknown = message.properties.messageId;
      if (typeof id === 'string') this.returned.set(id, message);
    });
  }

  private lose(err: Error | undefined): void {
    // The first error is the one that explains the closure (e.g. 404 before "channel closed").
    if (err && !this.lostWith) this.lostWith = err;
    if (this.dead) return;
    this.dead = true;
    if (!this.closedByUs) this.events.lost(this.lostWith);
    // A channel closed by the broker leaves the connection open: close it (outside amqplib's frame
    // handling, which is still running), and a new session follows.
    setImmediate(() => this.model.close().catch(() => undefined));
  }

  get channel(): ConfirmChannel {
    if (!this.confirmChannel) throw new Error('the confirm channel is not open');
    return this.confirmChannel;
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** The error that ended the session (a channel error carries the AMQP reply code). */
  get failure(): Error | undefined {
    return this.lostWith;
  }

  /** Why the broker stopped accepting publishes (a memory or disk alarm), if it did. */
  get blockedReason(): string | undefined {
    return this.blocked;
  }

  /** The message with this id if the broker returned it as unroutable, forgetting it. */
  takeReturned(id: string): Message | undefined {
    const message = this.returned.get(id);
    this.returned.delete(id);
    return message;
  }

  wasReturned(id: string): boolean {
    return this.returned.has(id);
  }

  /** Closes politely within `graceMs`, then drops the socket. Never throws. */
  async close(graceMs: number): Promise<void> {
    this.closedByUs = true;
    const wasDead = this.dead;
    this.dead = true;
    if (wasDead) return;
    // amqplib's close() never settles if the socket dies before the broker's close-ok: also
    // stop waiting when the connection is gone.
    const closing = Promise.race([this.model.close(), this.gone]);
    try {
      await within(closing, graceMs, () => new AmqpTimeoutError(`no close-ok within ${graceMs} ms`));
    } catch {
      this.destroy();
    }
  }

  /**
   * Drops the socket, for a broker that stopped answering. Destroying it with an error makes
   * amqplib close its channels, so every confirm still awaited fails instead of hanging.
   */
  destroy(): void {
    this.closedByUs = true;
    this.dead = true;
    const socket = (this.model.connection as unknown as { stream?: { destroy(err?: Error): void } }).stream;
    socket?.destroy(new AmqpTimeoutError('connection dropped: the broker stopped answering'));
  }
}
