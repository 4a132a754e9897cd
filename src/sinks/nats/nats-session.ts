import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { WesError } from '../../errors.js';
import { redactUrl } from '../../observability/redact-url.js';
import { natsSinkError, natsUnavailable } from './classify-nats-error.js';

/** What a session needs from the sink's config. */
export interface NatsSessionOptions {
  readonly sinkName: string;
  readonly servers: readonly string[];
  readonly user?: string | undefined;
  readonly pass?: string | undefined;
  readonly token?: string | undefined;
  /** Connection handshake and JetStream API calls, in ms. */
  readonly connectTimeoutMs: number;
  readonly logger: Logger;
}

/** Servers as they may be logged: a password (or a user name alone, maybe a token) is masked. */
export function loggableServers(servers: readonly string[]): string[] {
  return servers.map((s) => (s.includes('://') ? redactUrl(s) : s.includes('@') ? `***@${s.slice(s.lastIndexOf('@') + 1)}` : s));
}

// Reconnect quickly and forever: while the client is away, writes fail at once as retryable and
// the pipeline's backoff paces the attempts; the connection comes back on its own.
const RECONNECT_WAIT_MS = 500;
const RECONNECT_JITTER_MS = 250;
// A half-open TCP connection (no RST, e.g. a dropped network path) is noticed after ~2 pings.
const PING_INTERVAL_MS = 10_000;

/**
 * One NATS connection with its JetStream handles, and what the sink knows of its state. A
 * publish is only worth trying while `connected`: the client would otherwise buffer it and drop
 * it on reconnect, leaving the write to wait for its ack timeout.
 */
export class NatsSession {
  connected = true;
  closed = false;
  private closedByUs = false;
  private readonly interrupts = new Set<(err: WesError) => void>();

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    private readonly options: NatsSessionOptions,
  ) {}

  /** Connects (within connectTimeoutMs) and checks that the JetStream API answers. */
  static async open(options: NatsSessionOptions): Promise<NatsSession> {
    const connectOptions: NodeConnectionOptions = {
      servers: [...options.servers],
      name: `workos-events-sync/${options.sinkName}`,
      timeout: options.connectTimeoutMs,
      maxReconnectAttempts: -1,
      reconnectTimeWait: RECONNECT_WAIT_MS,
      reconnectJitter: RECONNECT_JITTER_MS,
      pingInterval: PING_INTERVAL_MS,
      maxPingOut: 2,
      ...(options.user !== undefined ? { user: options.user } : {}),
      ...(options.pass !== undefined ? { pass: options.pass } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
    };
    let nc: NatsConnection;
    try {
      nc = await connect(connectOptions);
    } catch (err) {
      throw natsSinkError(options.sinkName, `connect to NATS at ${loggableServers(options.servers).join(', ')}`, err);
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout: options.connectTimeoutMs });
      const session = new NatsSession(nc, jetstream(nc, { timeout: options.connectTimeoutMs }), jsm, options);
      session.watch();
      return session;
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw natsSinkError(options.sinkName, 'reach the JetStream API (is JetStream enabled on the server?)', err);
    }
  }

  /**
   * Settles as `work` does, unless the connection drops or closes first: then it rejects at once
   * as retryable instead of waiting out the ack timeout (the abandoned publishes settle later,
   * unobserved; the replay of the page is harmless thanks to Nats-Msg-Id).
   */
  guard<T>(work: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const interrupt = (err: WesError) => reject(err);
      this.interrupts.add(interrupt);
      work.then(
        (value) => {
          this.interrupts.delete(interrupt);
          resolve(value);
        },
        (err: unknown) => {
          this.interrupts.delete(interrupt);
          reject(err);
        },
      );
    });
  }

  /** Closes the connection; writes in flight fail as retryable. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closedByUs) return;
    this.closedByUs = true;
    this.interruptAll('was closed while publishing; the page will be written again');
    await this.nc.close().catch(() => undefined);
  }

  private interruptAll(message: string): void {
    const err = natsUnavailable(this.options.sinkName, message);
    for (const interrupt of [...this.interrupts]) interrupt(err);
    this.interrupts.clear();
  }

  private watch(): void {
    const { logger, sinkName } = this.options;
    const fields = { sink: sinkName, servers: loggableServers(this.options.servers) };
    void (async () => {
      for await (const status of this.nc.status()) {
        if (status.type === 'disconnect') {
          this.connected = false;
          this.interruptAll('lost the connection to NATS while publishing; the page will be written again');
          if (!this.closedByUs) logger.warn(fields, 'lost the connection to NATS; reconnecting in the background');
        } else if (status.type === 'reconnect') {
          this.connected = true;
          logger.info(fields, 'reconnected to NATS');
        } else if (status.type === 'ldm') {
          logger.info(fields, 'the NATS server is shutting down (lame duck mode); the client will move to another server');
        } else if (status.type === 'staleConnection') {
          logger.warn(fields, 'the NATS connection went stale (no answer to pings); reconnecting');
        } else if (status.type === 'error') {
          logger.warn({ ...fields, err: status.error }, 'the NATS server reported an error');
        }
      }
    })().catch(() => undefined);
    void this.nc.closed().then((err) => {
      this.connected = false;
      this.closed = true;
      this.interruptAll('lost its NATS connection while publishing; the page will be written again');
      // Closed without our asking: reconnecting gave up (e.g. credentials refused twice). The next
      // write opens a new connection.
      if (!this.closedByUs) logger.warn({ ...fields, err }, 'the NATS connection closed; the next write reconnects');
    });
  }
}
