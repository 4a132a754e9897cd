import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real service (Postgres, NATS, RabbitMQ, Redis, an HTTP receiver), so
 * a test can make the service unreachable and bring it back without stopping the machine's own
 * server: `cut()` drops every connection and refuses new ones, `restore()` accepts again.
 * With `delayMs` every chunk is held that long in each direction, in order (a network round trip
 * of twice that; the benchmarks use it to stand for a database in another availability zone).
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly target: { host: string; port: number }, private listenPort: number, private readonly delayMs: number) {}

  static async start(target: { host: string; port: number }, options: { delayMs?: number } = {}): Promise<TcpProxy> {
    const proxy = new TcpProxy(target, 0, options.delayMs ?? 0);
    await proxy.listen();
    return proxy;
  }

  get host(): string {
    return '127.0.0.1';
  }

  get port(): number {
    return this.listenPort;
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      if (this.delayMs > 0) {
        // Timers of equal delay fire in the order they were set, so the byte stream stays in order.
        const forward = (from: Socket, to: Socket) => {
          from.on('data', (chunk) => setTimeout(() => to.writable && to.write(chunk), this.delayMs));
          from.on('end', () => setTimeout(() => to.end(), this.delayMs));
        };
        forward(client, upstream);
        forward(upstream, client);
      } else {
        client.pipe(upstream);
        upstream.pipe(client);
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      // Same port after a restore, so clients that reconnect find it again.
      server.listen(this.listenPort, '127.0.0.1', () => {
        this.listenPort = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  /** The service "goes away": open connections are reset and new ones refused. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async restore(): Promise<void> {
    if (!this.server) await this.listen();
  }

  async close(): Promise<void> {
    await this.cut();
  }
}
