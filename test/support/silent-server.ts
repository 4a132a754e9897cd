import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP server that accepts every connection, reads what is sent and never answers: a service
 * that hangs (a Redis stuck behind a long command, an HTTP receiver that never replies, a network
 * that black-holes the answers). A client sees its connection open and its request go out, then
 * nothing. `received()` resolves once a request's first bytes arrived, so a test knows the client
 * is waiting for an answer, not still starting.
 */
export class SilentServer {
  private readonly sockets = new Set<Socket>();
  private readonly waiters: Array<() => void> = [];
  private bytes = 0;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<SilentServer> {
    let silent: SilentServer | undefined;
    const server = createServer((socket) => {
      silent!.sockets.add(socket);
      socket.on('close', () => silent!.sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.on('data', (chunk: Buffer) => {
        silent!.bytes += chunk.length;
        for (const wake of silent!.waiters.splice(0)) wake();
      });
    });
    silent = new SilentServer(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return silent;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** `redis://127.0.0.1:PORT`, `http://127.0.0.1:PORT/path`... */
  url(scheme: string, path = ''): string {
    return `${scheme}://127.0.0.1:${this.port}${path}`;
  }

  /** Resolves once some client has sent something. */
  received(): Promise<void> {
    if (this.bytes > 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
